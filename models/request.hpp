// Requests in flight and how they end.
//
// A request's state is a stack of frames, one per tier it is visiting (the
// layered queueing model: a worker held by a visit stays held while the tier
// it calls serves the call). Frame d is the visit at call depth d; in a chain
// that is tier d, in a call graph any tier (each at most once: graphs are
// acyclic). A request has one message in flight at a time; the calls of a
// fan-out group, sent at once, are branches: requests of their own, linked to
// the request whose frame waits for them (models/lifecycle.hpp). Requests
// live in a pool and are named by RequestId = slot + generation, so an event
// about a request that has since ended is recognised and ignored. Memory is
// proportional to the requests in flight.
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <memory>
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
  kNoServer,        // HAProxy: every server marked down (503)
  kConnectFailed,   // HAProxy: connection failures beyond retries (503)
  kServerTimeout,   // HAProxy `timeout server` (504)
  kBadGateway,      // a proxy lost its upstream mid-request (502)
  kUpstreamFailed,  // nginx: every upstream tried failed (502/504)
  kDbUnavailable,   // app: the database call failed or timed out
  kConnectionLost,  // the node holding the client's connection died
  kLbUnreachable,   // the client could not connect to the entry address
  kClientTimeout,   // the client gave up waiting
  kCircuitOpen,     // the client's circuit breaker refused to send
  kCount
};
inline constexpr int kFailureReasonCount = static_cast<int>(FailureReason::kCount);

// Stable names used in reports and JSON.
std::string_view failure_reason_name(FailureReason reason);

using RequestId = std::uint64_t;
inline constexpr RequestId kNoRequest = 0;  // no live request has it (generations start at 1)
// A pool slot that names no request (branch links, models/lifecycle.hpp).
inline constexpr std::uint32_t kNoSlot = 0xffffffffu;

// One tier visit. `held` flags say what must be released when the visit ends.
struct Frame {
  std::uint32_t node = 0;        // index into the model's node table
  std::uint32_t downstream = 0;  // node of the current call, when calling
  std::uint16_t calls_left = 0;  // of the current step of the visit's call list
  std::uint8_t step = 0;         // the current step (models/topology.hpp's calls)
  std::uint8_t callee = 0;       // the tier the current step calls (sequential steps and branches)
  bool group = false;            // the current step starts a fan-out group
  std::uint16_t hits = 0;        // cache gets of this visit that hit
  std::uint16_t misses = 0;      // ... that missed or failed
  std::uint16_t ios_left = 0;    // disk IOs still to do (page reads, then the log flush)
  std::uint8_t admission_units = 0;  // admission slots held
  bool holds_call = false;       // a per-call resource (server slot, pool connection)
  bool log_flush = false;        // the last IO is a commit's log flush
  bool remote_arrival = false;   // arrived from another host (pays the firewall)
  bool call_sent = false;        // the current call's request reached the target
  std::uint8_t tries = 0;        // connection attempts of the current call
  std::uint16_t worker = 0;      // the worker process handling the call (nginx)
  FailureReason call_failure = FailureReason::kCount;  // why the current call failed
  // nginx: the upstreams this call has tried, as 1 + a slot of the node's
  // table of tried sets (models/nginx.cpp); 0 = none tried yet.
  std::uint32_t tried_upstreams = 0;
  Time entered = 0;              // arrival at the node (end of receive)
  Time call_deadline = 0;        // when the current call times out; 0 = never
  sim::EventHandle call_timer;
};

struct Request {
  std::uint32_t generation = 0;
  std::uint16_t request_class = 0;
  std::int8_t depth = -1;        // frame of the tier now serving; -1 before the entry tier
  // What the cache visit the request returns from answered (one message in
  // flight at a time): the caller counts it when the answer arrives.
  enum class CacheAnswer : std::uint8_t { kNone, kHit, kMiss };
  CacheAnswer cache_answer = CacheAnswer::kNone;
  bool measured = false;         // sent after warm-up: counts in the results
  std::uint32_t client = 0;      // client address (open) or user index (closed)
  std::uint64_t demand_seed = 0; // keys this request's demand draws (common random numbers)
  Time sent = 0;                 // when the client sent this attempt
  Time first_sent = 0;           // when the client sent the first attempt
  std::uint16_t attempt = 0;     // 0 for the first
  bool orphan = false;           // the client gave up on it: ends uncounted
  // Why the attempt failed before any tier took it (unreachable entry address,
  // reset connection), carried to the client's delayed notice of it.
  FailureReason connect_failure = FailureReason::kCount;
  // Parallel fan-out (models/lifecycle.hpp): a branch is a request making one
  // call of its parent's fan-out group; frame 0 stands for the caller's frame
  // (a stub: same node and step, one call). Links are pool slots, which stay
  // put when a request is re-keyed. kNoSlot: a client's request.
  std::uint32_t parent = kNoSlot;
  Time client_deadline = 0;      // the client's timeout for this attempt; 0 = none
  sim::EventHandle client_timer;
  // The message in transit (one at a time: a request's calls are synchronous;
  // a fan-out group's are each a branch's).
  double message_bytes = 0.0;
  Time message_first_bit = 0;
  bool message_is_response = false;
  std::uint8_t message_retransmissions = 0;  // of a response held up by a partition
  // Its branches are being cancelled: releasing what one holds may run
  // another at once (a slot granted), which must then neither join nor fail it.
  bool cancelling = false;
  // The wait queue the request sits in, if any (one at a time).
  std::uint32_t wait_token = 0;
  sim::EventHandle wait_timer;
  std::array<std::uint16_t, kMaxTiers> visits{};  // visits made to each tier (demand stream key)
  std::array<Frame, kMaxTiers> frames{};
  // The branches of the group the deepest frame waits for (only the deepest
  // frame can wait), and a branch's siblings: a doubly-linked list.
  std::uint32_t first_branch = kNoSlot;
  std::uint32_t prev_branch = kNoSlot;
  std::uint32_t next_branch = kNoSlot;

  Frame& frame() { return frames[static_cast<std::size_t>(depth)]; }
  bool is_branch() const { return parent != kNoSlot; }
};

// Requests are stored in fixed-size chunks, so a reference stays valid while
// other requests are created (a failure deep in a call chain may create a
// retry).
class RequestPool {
 public:
  // `branch`: a fan-out branch, which live() does not count.
  RequestId create(bool branch = false) {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = size_++;
      if ((slot & kChunkMask) == 0) {
        chunks_.push_back(std::make_unique<Request[]>(kChunkSize));
        live_slots_.resize(live_slots_.size() + kChunkSize, false);
      }
      at(slot).generation = 1;
    }
    Request& r = at(slot);
    // Frames are initialised on each visit; only the header needs clearing.
    const std::uint32_t generation = r.generation;
    r.depth = -1;
    r.wait_token = 0;
    r.wait_timer = sim::EventHandle();
    r.client_timer = sim::EventHandle();
    r.client_deadline = 0;
    r.orphan = false;
    r.attempt = 0;
    r.visits.fill(0);
    r.cache_answer = Request::CacheAnswer::kNone;
    r.parent = kNoSlot;
    r.first_branch = kNoSlot;
    r.cancelling = false;
    r.generation = generation;
    live_slots_[slot] = true;
    ++live_;
    if (branch) ++branches_;
    return id_of(slot, generation);
  }

  // nullptr when the request has ended since the id was handed out.
  [[gnu::always_inline]] Request* find(RequestId id) {
    const auto slot = static_cast<std::uint32_t>(id);
    if (slot >= size_) return nullptr;
    Request& r = at(slot);
    return r.generation == static_cast<std::uint32_t>(id >> 32) ? &r : nullptr;
  }

  // Gives a live request a new id: every event still pending under the old
  // one becomes stale. Used when a crash destroys part of a request's frames.
  RequestId rekey(RequestId id) {
    Request& r = get(id);
    if (++r.generation == 0) r.generation = 1;
    return id_of(static_cast<std::uint32_t>(id), r.generation);
  }
  [[gnu::always_inline]] Request& get(RequestId id) {
    Request* r = find(id);
    assert(r != nullptr);
    return *r;
  }

  // A client's request ended.
  void release(RequestId id) { free_slot(id); }
  // A fan-out branch joined its parent or was cancelled. (Two functions, so
  // that the release on every request's path reads no more of it.)
  void release_branch(RequestId id) {
    free_slot(id);
    --branches_;
  }

  // The id a live request has now (ids change on rekey, slots do not).
  RequestId id_at(std::uint32_t slot) { return id_of(slot, at(slot).generation); }
  static std::uint32_t slot_of(RequestId id) { return static_cast<std::uint32_t>(id); }

  // Client requests in flight (the overload guard, the time series): a
  // fan-out branch is part of its request, not another one.
  std::size_t live() const { return live_ - branches_; }
  std::size_t live_branches() const { return branches_; }
  std::size_t capacity() const { return size_; }

  // Visits every live request with its id, fan-out branches included
  // (end-of-run accounting, crashes).
  template <class F>
  void for_each_live(F&& f) {
    for (std::uint32_t slot = 0; slot < size_; ++slot) {
      if (live_slots_[slot]) f(id_of(slot, at(slot).generation), at(slot));
    }
  }

 private:
  [[gnu::always_inline]] void free_slot(RequestId id) {
    const auto slot = static_cast<std::uint32_t>(id);
    Request& r = at(slot);
    assert(r.generation == static_cast<std::uint32_t>(id >> 32));
    ++r.generation;
    if (r.generation == 0) r.generation = 1;
    live_slots_[slot] = false;
    free_.push_back(slot);
    --live_;
  }

  // 256 requests (about 165 KiB) per chunk: a run touches only what its peak
  // in flight needs (each new chunk is value-initialised, page by page).
  static constexpr std::uint32_t kChunkBits = 8;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr std::uint32_t kChunkMask = kChunkSize - 1;
  static RequestId id_of(std::uint32_t slot, std::uint32_t generation) {
    return (static_cast<std::uint64_t>(generation) << 32) | slot;
  }
  Request& at(std::uint32_t slot) { return chunks_[slot >> kChunkBits][slot & kChunkMask]; }

  std::vector<std::unique_ptr<Request[]>> chunks_;
  std::vector<bool> live_slots_;
  std::vector<std::uint32_t> free_;
  std::uint32_t size_ = 0;
  std::size_t live_ = 0;
  std::size_t branches_ = 0;
};

}  // namespace models
