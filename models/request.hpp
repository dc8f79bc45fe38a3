// Requests in flight and how they end.
//
// A request's state is a stack of frames, one per tier it is visiting (the
// layered queueing model: a worker held at tier t stays held while tier t+1
// serves the call). Requests live in a pool and are named by RequestId = slot +
// generation, so an event about a request that has since ended is recognised
// and ignored. Memory is proportional to the requests in flight.
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/time.hpp"

namespace models {

using sim::Time;

inline constexpr int kMaxTiers = 8;

enum class FailureReason : std::uint8_t {
  kLbMaxconn,       // HAProxy frontend full and its accept backlog full
  kQueueTimeout,    // HAProxy `timeout queue` expired: 503
  kWebConnections,  // nginx out of worker_connections
  kAppBacklog,      // app worker pool and its backlog full
  kPoolTimeout,     // app waited too long for a connection to the next tier
  kDbConnections,   // database max_connections reached
  kServerQueue,     // plain server: workers busy and queue full
  kCount
};
inline constexpr int kFailureReasonCount = static_cast<int>(FailureReason::kCount);

// Stable names used in reports and JSON.
std::string_view failure_reason_name(FailureReason reason);

using RequestId = std::uint64_t;

// One tier visit. `held` flags say what must be released when the visit ends.
struct Frame {
  std::uint32_t node = 0;        // index into the model's node table
  std::uint32_t downstream = 0;  // node of the current call, when calling
  std::uint16_t calls_left = 0;
  std::uint16_t ios_left = 0;    // disk IOs still to do (page reads, then the log flush)
  std::uint8_t admission_units = 0;  // admission slots held
  bool holds_call = false;       // a per-call resource (server slot, pool connection)
  bool log_flush = false;        // the last IO is a commit's log flush
  bool remote_arrival = false;   // arrived from another host (pays the firewall)
  Time entered = 0;              // arrival at the node (end of receive)
};

struct Request {
  std::uint32_t generation = 0;
  std::uint16_t request_class = 0;
  std::int8_t depth = -1;        // frame of the tier now serving; -1 before the entry tier
  std::uint8_t deepest = 0;      // deepest tier index the class visits
  bool measured = false;         // sent after warm-up: counts in the results
  std::uint32_t client = 0;      // client address (open) or user index (closed)
  std::uint64_t demand_seed = 0; // keys this request's demand draws (common random numbers)
  Time sent = 0;                 // when the client sent it
  // The message in transit (one at a time: calls are synchronous).
  double message_bytes = 0.0;
  Time message_first_bit = 0;
  bool message_is_response = false;
  // The wait queue the request sits in, if any (one at a time).
  std::uint32_t wait_token = 0;
  sim::EventHandle wait_timer;
  std::array<std::uint16_t, kMaxTiers> visits{};  // visits made to each depth (demand stream key)
  std::array<Frame, kMaxTiers> frames{};

  Frame& frame() { return frames[static_cast<std::size_t>(depth)]; }
};

class RequestPool {
 public:
  RequestId create() {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(requests_.size());
      requests_.emplace_back();
      requests_.back().generation = 1;
    }
    Request& r = requests_[slot];
    // Frames are initialised on each visit; only the header needs clearing.
    const std::uint32_t generation = r.generation;
    r.depth = -1;
    r.wait_token = 0;
    r.wait_timer = sim::EventHandle();
    r.visits.fill(0);
    r.generation = generation;
    ++live_;
    return (static_cast<std::uint64_t>(generation) << 32) | slot;
  }

  // nullptr when the request has ended since the id was handed out.
  Request* find(RequestId id) {
    const auto slot = static_cast<std::uint32_t>(id);
    if (slot >= requests_.size()) return nullptr;
    Request& r = requests_[slot];
    return r.generation == static_cast<std::uint32_t>(id >> 32) ? &r : nullptr;
  }
  Request& get(RequestId id) {
    Request* r = find(id);
    assert(r != nullptr);
    return *r;
  }

  void release(RequestId id) {
    const auto slot = static_cast<std::uint32_t>(id);
    Request& r = requests_[slot];
    assert(r.generation == static_cast<std::uint32_t>(id >> 32));
    ++r.generation;
    if (r.generation == 0) r.generation = 1;
    free_.push_back(slot);
    --live_;
  }

  std::size_t live() const { return live_; }
  std::size_t capacity() const { return requests_.size(); }

  // Visits every live request (for end-of-run accounting).
  template <class F>
  void for_each_live(F&& f) {
    std::vector<bool> is_free(requests_.size(), false);
    for (auto slot : free_) is_free[slot] = true;
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      if (!is_free[i]) f(requests_[i]);
    }
  }

 private:
  std::vector<Request> requests_;
  std::vector<std::uint32_t> free_;
  std::size_t live_ = 0;
};

}  // namespace models
