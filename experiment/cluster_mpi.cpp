// experiment/cluster.hpp over MPI. Only the main thread of each process
// calls MPI (MPI_THREAD_FUNNELED); units run on other threads. Nobody waits
// for a message in a blocking MPI call, which Open MPI spins in: rank 0
// polls with MPI_Iprobe every millisecond when there is nothing to do, the
// other ranks too while a thread of theirs waits for a unit, and not at all
// while all of them run one, so that coordinating costs little of a core
// whose threads run units.
//
// Messages: a worker rank sends kReady with its number of threads, then
// kResult (a unit and its result) or kFailed (a unit and its error) per
// unit; rank 0 sends kUnit, and kStop when the study is over or has failed;
// a worker answers kStop with kDone once its sends are complete.
//
// A failed unit (the overload guard, say) ends the study as in one process
// (execute_on_threads): no new units start, those running finish and their
// results are dropped, every thread is joined and every rank leaves MPI by
// MPI_Finalize, so that no thread outlives the study whose scenarios it
// reads and rank 0 ends with the failure's exit status.
// Only MPI's C API: Open MPI's deprecated C++ bindings stay out.
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <exception>
#include <functional>
#include <iostream>
#include <iterator>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "experiment/cluster.hpp"
#include "experiment/input_error.hpp"
#include "experiment/interrupt.hpp"
#include "experiment/wire.hpp"
#include "models/run.hpp"

namespace experiment::cluster {

namespace {

enum Tag : int { kReady = 1, kUnit, kResult, kFailed, kStop, kDone };

// A failure's kind travels with it, so that rank 0 ends with the exit
// status of the error, as one process would.
enum class Failure : char { kOverload = 'O', kInput = 'I', kOther = 'E' };

bool joined = false;   // MPI_Init_thread was called
int world_rank = 0;
int world_size = 1;
bool stopped = false;  // rank 0 told the others to stop
std::vector<bool> serving;  // on rank 0: the ranks whose kReady came in
bool failed_run = false;  // rank 0 could not stop the other ranks in order (an MPI error)

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(fmt::format("{}: {}", call, std::string(text, static_cast<std::size_t>(length))));
}

void send(const std::string& bytes, int to, Tag tag) {
  check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD), "MPI_Send");
}

struct Message {
  int from = 0;
  Tag tag = kStop;
  std::string bytes;
};

std::optional<Message> poll() {
  int flag = 0;
  MPI_Status status;
  check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
  if (!flag) return std::nullopt;
  int size = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &size), "MPI_Get_count");
  Message m;
  m.from = status.MPI_SOURCE;
  m.tag = static_cast<Tag>(status.MPI_TAG);
  m.bytes.resize(static_cast<std::size_t>(size));
  check(MPI_Recv(m.bytes.data(), size, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Recv");
  return m;
}

// Tells the other ranks to stop, then takes every message of those serving
// up to their kDone, dropping the outcomes of units that were running when
// the study failed: their sends complete and none is left for MPI_Finalize.
// A rank whose kReady has not come in is not waited for: it may have
// failed before serving.
void stop_workers() {
  if (stopped) return;
  stopped = true;
  for (int r = 1; r < world_size; ++r) send({}, r, kStop);
  serving.resize(static_cast<std::size_t>(world_size), false);
  auto waiting = std::count(serving.begin(), serving.end(), true);
  while (waiting > 0) {
    const auto m = poll();
    if (!m) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    if (m->tag == kReady) ++waiting;  // it has kStop waiting and answers it
    if (m->tag == kDone) --waiting;
  }
}

// Units on this process's threads, for the MPI thread to hand in and collect.
class Pool {
 public:
  struct Outcome {
    WorkUnit unit;
    std::optional<UnitResult> result;
    Failure failure = Failure::kOther;
    std::string error;  // with no result
  };

  Pool(std::function<const models::ScenarioConfig&(const WorkUnit&)> config, unsigned threads) {
    state_.config = std::move(config);
    for (unsigned t = 0; t < threads; ++t) threads_.emplace_back(work, std::ref(state_));
  }
  // Units not yet started are dropped; running ones finish (their outcomes
  // are dropped too): the threads read scenarios that the caller owns.
  ~Pool() {
    drop();
    threads_.clear();  // std::jthread joins
  }
  // Starts no more units; those running finish.
  void drop() {
    {
      const std::lock_guard lock(state_.mutex);
      state_.closing = true;
      state_.busy -= static_cast<unsigned>(state_.inbox.size());
      state_.inbox.clear();
    }
    state_.changed.notify_all();
  }
  void add(const WorkUnit& unit) {
    {
      const std::lock_guard lock(state_.mutex);
      state_.inbox.push_back(unit);
      ++state_.busy;
    }
    state_.changed.notify_all();
  }
  unsigned busy() {
    const std::lock_guard lock(state_.mutex);
    return state_.busy;
  }
  // A finished unit, waiting up to `wait` for one.
  std::optional<Outcome> take(std::chrono::milliseconds wait) {
    std::unique_lock lock(state_.mutex);
    state_.changed.wait_for(lock, wait, [&] { return !state_.outbox.empty(); });
    if (state_.outbox.empty()) return std::nullopt;
    Outcome o = std::move(state_.outbox.front());
    state_.outbox.pop_front();
    --state_.busy;
    return o;
  }

 private:
  struct State {
    std::function<const models::ScenarioConfig&(const WorkUnit&)> config;
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<WorkUnit> inbox;
    std::deque<Outcome> outbox;
    unsigned busy = 0;
    bool closing = false;
  };

  static void work(State& s) {
    std::unique_lock lock(s.mutex);
    for (;;) {
      s.changed.wait(lock, [&] { return s.closing || !s.inbox.empty(); });
      if (s.inbox.empty()) return;
      Outcome o;
      o.unit = s.inbox.front();
      s.inbox.pop_front();
      lock.unlock();
      try {
        o.result = run_unit(s.config(o.unit), o.unit);
      } catch (const models::RunLimitExceeded& e) {
        o.failure = Failure::kOverload;
        o.error = e.what();
      } catch (const InputError& e) {
        o.failure = Failure::kInput;
        o.error = e.what();
      } catch (const std::exception& e) {
        o.error = e.what();
      }
      lock.lock();
      s.outbox.push_back(std::move(o));
      s.changed.notify_all();
    }
  }

  State state_;
  std::vector<std::jthread> threads_;  // declared last: joined before state_ goes
};

std::string failure_bytes(const WorkUnit& unit, Failure failure, const std::string& error) {
  return wire::encode(unit) + static_cast<char>(failure) + error;
}

[[noreturn]] void rethrow_failure(int rank, std::string_view bytes) {
  const std::size_t unit_size = wire::encode(WorkUnit{}).size();
  if (bytes.size() <= unit_size) throw std::runtime_error(fmt::format("rank {} sent a malformed failure", rank));
  const WorkUnit unit = wire::decode_unit(bytes.substr(0, unit_size));
  const auto failure = static_cast<Failure>(bytes[unit_size]);
  const std::string error(bytes.substr(unit_size + 1));
  if (failure == Failure::kOverload) throw models::RunLimitExceeded(error);
  if (failure == Failure::kInput) throw InputError(error);
  throw std::runtime_error(fmt::format("rank {}, {} {} of point {}: {}", rank, unit.pilot ? "pilot" : "replication",
                                       unit.replication, unit.group + 1, error));
}

}  // namespace

void start(int& argc, char**& argv) {
  if (launched_processes() <= 1) return;
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  joined = true;
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw std::runtime_error("the MPI library runs no threads beside MPI calls (MPI_THREAD_FUNNELED)");
  }
  // Errors come back as codes (check() throws), not as an abort inside MPI.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  // mpirun passes an interrupt on to every rank, and ends them all with
  // SIGTERM when one of them dies: rank 0 cannot tell which it was.
  set_signal_message(world_rank == 0 ? "\ntiersim: stopped by a signal (an interrupt, or mpirun ending the job because "
                                       "another rank ended: mpirun says which); finishing the output being written\n"
                                     : nullptr);
}

int finish(int status) {
  if (!joined) return status;
  if (failed_run) {
    // Other ranks may be running units or sending results that nobody will
    // receive, which MPI_Finalize would wait for: end the job (this rank's
    // threads are joined). mpirun exits with `status` after its own note on
    // the abort.
    std::cerr.flush();
    MPI_Abort(MPI_COMM_WORLD, status);
  }
  if (world_rank == 0) {
    try {
      stop_workers();
    } catch (const std::exception& e) {
      std::cerr << "tiersim: error: " << e.what() << std::endl;
      status = status == 0 ? 1 : status;
    }
  }
  MPI_Finalize();
  return status;
}

bool coordinator() { return world_rank == 0; }

int rank() { return world_rank; }

bool distribute(Study& study, unsigned jobs) {
  if (world_size <= 1) return false;
  Pool local([&study](const WorkUnit& u) -> const models::ScenarioConfig& { return study.config(u); }, jobs);
  // Each rank holds one unit more than it has threads: a thread that ends
  // a unit starts the spare at once instead of waiting for the round trip
  // to rank 0 (several scheduler wake-ups on a busy machine). At the end of
  // a study a spare may wait for a busy thread while another rank idles:
  // one unit at most.
  unsigned local_free = jobs + 1;
  std::vector<unsigned> free(static_cast<std::size_t>(world_size), 0);  // idle threads per rank
  serving.assign(static_cast<std::size_t>(world_size), false);
  std::vector<unsigned> busy(static_cast<std::size_t>(world_size), 0);
  const auto accept = [&](const WorkUnit& unit, UnitResult&& result) {
    study.advance(unit, 1.0, unit.pilot ? 0 : result.run.events);
    study.done(unit, std::move(result));
  };
  try {
    while (!study.finished()) {
      // Hand out every ready unit: to this rank's idle threads first, then to the others'.
      for (int r = 0; r < world_size;) {
        unsigned& slots = r == 0 ? local_free : free[static_cast<std::size_t>(r)];
        if (slots == 0) {
          ++r;
          continue;
        }
        const std::optional<WorkUnit> unit = study.next();
        if (!unit) break;
        --slots;
        if (r == 0) {
          local.add(*unit);
        } else {
          ++busy[static_cast<std::size_t>(r)];
          send(wire::encode(*unit), r, kUnit);
        }
      }
      bool any = false;
      while (const auto m = poll()) {
        any = true;
        const auto r = static_cast<std::size_t>(m->from);
        if (m->tag == kReady) {
          free[r] = static_cast<unsigned>(std::stoul(m->bytes)) + 1;
          serving[r] = true;
        } else if (m->tag == kResult) {
          auto [unit, result] = wire::decode_result(m->bytes);
          ++free[r];
          --busy[r];
          accept(unit, std::move(result));
        } else if (m->tag == kFailed) {
          rethrow_failure(m->from, m->bytes);
        }
      }
      // Wait a little for a local unit when nothing came in.
      while (auto o = local.take(any ? std::chrono::milliseconds(0) : std::chrono::milliseconds(1))) {
        ++local_free;
        if (!o->result) rethrow_failure(0, failure_bytes(o->unit, o->failure, o->error));
        accept(o->unit, std::move(*o->result));
        any = true;
      }
    }
  } catch (...) {
    // As in one process: no unit starts, those running finish (this rank's
    // in ~Pool, before the study goes), the other ranks stop in order.
    local.drop();
    try {
      stop_workers();
    } catch (const std::exception& e) {
      std::cerr << "tiersim: error: " << e.what() << std::endl;
      failed_run = true;
    }
    throw;
  }
  stop_workers();
  return true;
}

void serve(const Study::Configs& configs, unsigned jobs) {
  if (!joined || world_rank == 0) return;
  Pool pool([&configs](const WorkUnit& u) -> const models::ScenarioConfig& { return configs(u.group)[u.scenario]; },
            jobs);
  send(std::to_string(jobs), 0, kReady);
  // Results on their way to rank 0, with their bytes. Not MPI_Send: a
  // result is larger than Open MPI sends eagerly, and a blocking send would
  // spin until rank 0 takes it, on a core this rank's units need.
  std::list<std::pair<MPI_Request, std::string>> sending;
  for (;;) {
    bool any = false;
    while (const auto m = poll()) {
      any = true;
      if (m->tag == kStop) {
        // The study is over, or failed: units not started and outcomes not
        // yet sent are dropped; rank 0 takes the sends under way until
        // kDone. ~Pool waits for the running units.
        pool.drop();
        for (auto& [request, bytes] : sending) check(MPI_Wait(&request, MPI_STATUS_IGNORE), "MPI_Wait");
        send({}, 0, kDone);
        return;
      }
      if (m->tag == kUnit) pool.add(wire::decode_unit(m->bytes));
    }
    for (auto it = sending.begin(); it != sending.end();) {
      int sent = 0;
      check(MPI_Test(&it->first, &sent, MPI_STATUS_IGNORE), "MPI_Test");
      it = sent ? sending.erase(it) : std::next(it);
    }
    // With every thread busy and nothing being sent, only a finished unit
    // (which ends the wait at once) matters: no need to poll MPI meanwhile.
    const auto wait = any                                       ? std::chrono::milliseconds(0)
                      : pool.busy() < jobs || !sending.empty() ? std::chrono::milliseconds(1)
                                                                : std::chrono::milliseconds(100);
    for (auto o = pool.take(wait); o; o = pool.take(std::chrono::milliseconds(0))) {
      auto& [request, bytes] = sending.emplace_back(
          MPI_REQUEST_NULL, o->result ? wire::encode(o->unit, *o->result) : failure_bytes(o->unit, o->failure, o->error));
      check(MPI_Isend(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, o->result ? kResult : kFailed,
                      MPI_COMM_WORLD, &request),
            "MPI_Isend");
      any = true;
    }
  }
}

}  // namespace experiment::cluster
