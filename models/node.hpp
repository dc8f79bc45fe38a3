// A node: one instance of a tier (lb1, web2, db1, ...) running on a host.
//
// Every visit follows the same life, whatever the kind:
//   receive -> admission (the kind's limit: may queue or reject)
//   -> CPU (tier + class demand, plus kind extras such as TLS, plus the
//      host's firewall cost when the request came from another host)
//   -> disk IOs, one after another
//   -> the class's calls at this tier (models/topology.hpp), one after
//      another, holding the admission slot; a fan-out group's calls are sent
//      at once, each by a branch request (models/lifecycle.hpp), and the
//      visit goes on when the last has answered
//   -> release the slot, send the response upstream.
// Kinds (haproxy.hpp, nginx.hpp, app_server.hpp, database.hpp, server.hpp)
// supply the admission limit, the extras, the disk plan and how a call picks
// and holds its target.
#pragma once

#include <cstdint>
#include <string>

#include "models/config.hpp"
#include "models/host.hpp"
#include "models/request.hpp"
#include "models/resources.hpp"
#include "sim/random.hpp"
#include "sim/statistics.hpp"

namespace models {

class Stack;

class Node {
 public:
  Node(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
       std::string name, Host& host);
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::string& name() const { return name_; }
  const TierConfig& tier() const { return tier_; }
  int tier_index() const { return tier_index_; }
  int index_in_tier() const { return index_in_tier_; }
  std::uint32_t id() const { return id_; }
  Host& host() { return host_; }
  const Host& host() const { return host_; }

  // Event entry points.
  void on_message(std::uint64_t id);           // the message's last bit reached the host
  void on_message_received(std::uint64_t id);  // ... and the NIC has taken it in
  void on_admitted(std::uint64_t id);
  void on_cpu_done(std::uint64_t id);
  void on_io_done(std::uint64_t id);
  void on_call_failure(std::uint64_t id);      // the current call failed (Frame::call_failure says why)
  void on_call_timeout(std::uint64_t id);      // the current call's answer is overdue

  // Liveness. A node answers when its host is up and its process runs.
  bool process_up() const { return process_up_; }
  bool answering() const { return process_up_ && host_.up(); }
  void set_process_up(bool up) { process_up_ = up; }

  // The node went down (its host or its process) or came back. The default
  // tells the entry addresses (VRRP) when the node is in the entry tier.
  virtual void on_down(bool graceful = false);
  virtual void on_up();

  // The current call of frame `depth` fails for `cause` after `delay`.
  void schedule_call_failure(RequestId id, Request& r, FailureReason cause, Time delay);
  // How long this node waits to connect to a next-tier node that does not answer.
  virtual Time connect_timeout() const = 0;
  // How long it waits for a call's answer once sent; 0 = forever.
  virtual Time call_timeout() const { return 0; }
  // The same for a call to `target` (a caller's client for a cache has the
  // cache's timeouts); default: the two above.
  virtual Time connect_timeout_to(const Node&) const { return connect_timeout(); }
  virtual Time call_timeout_to(const Node&) const { return call_timeout(); }
  // The depth of this node's frame in r (-1: none). A tier appears at most
  // once in a request's frames, and at the same depth as its tier index
  // when the class's calls are a chain.
  int frame_depth(const Request& r) const {
    for (int d = r.depth; d >= 0; --d) {
      if (r.frames[static_cast<std::size_t>(d)].node == id_) return d;
    }
    return -1;
  }

  // Delivers a message that needs no receive time (same host, or from a client).
  void deliver(RequestId id, Request& r, bool remote);

  // Releases what frame f holds; called for every frame of a failing request.
  void abort(RequestId id, Request& r, Frame& f);
  // The same for a branch's stub frame (frame 0), which holds only its call.
  void abort_stub(RequestId id, Request& r, Frame& f);
  // A deeper tier failed the request while frame f waited for its call: the
  // call was answered with an error (a 5xx). Called before abort.
  virtual void call_answered_with_error(Request&, Frame&) {}

  // Mean number of requests at the node (waiting or served) since the reset.
  double queue_mean(Time now) const { return present_.mean(now); }
  // Requests at the node now (waiting or served).
  double requests_present() const { return present_.value(); }
  void reset_statistics(Time now) { present_.reset(now); }

 protected:
  // How many admission slots a request takes (nginx: two when proxied).
  virtual int admission_units(const Request&) const { return 1; }
  // Extra CPU for this visit beyond the tier and class demand (TLS).
  virtual double extra_cpu(Request&, sim::RandomStream&) { return 0.0; }
  // Sets f.ios_left / f.log_flush for this visit; default: the demand's disk_ios.
  virtual void plan_disk(Request& r, Frame& f, const TierDemand* demand, sim::RandomStream& rng);
  virtual double io_bytes(const Request& r, const Frame& f) const;
  // Starts one call to the next tier: pick a target, hold what the call
  // holds, then send_call(); or queue (and later send_call); or fail.
  virtual void begin_call(RequestId id, Request& r) = 0;
  // The call's response arrived: release what begin_call held.
  virtual void end_call(Request&, Frame&) {}
  // The call's response arrived (before end_call): passive health's success.
  virtual void call_answered(Request&, Frame&) {}
  // The request fails while this frame holds admission: release or leave
  // whatever the kind holds or waits for on behalf of a call.
  virtual void abort_call(RequestId, Request&, Frame&) {}
  // The current call failed: `cause` is a connection failure
  // (kConnectFailed: timed out connecting; kBadGateway: refused or reset) or
  // a timeout waiting for the answer (kServerTimeout). The call's resources
  // are still held. Default: release them and fail the request.
  virtual void call_failed(RequestId id, Request& r, FailureReason cause);
  // The reason a request fails with when this kind gives up on a call.
  virtual FailureReason give_up_reason(FailureReason cause) const { return cause; }
  // The visit's work is done and its response is about to leave.
  virtual void visit_served(Request&) {}

  // The current step of the visit's call list (valid while calls_left > 0).
  const CallStep& current_step(const Request& r, const Frame& f) const;
  // The current call is over (answered, or failed in a way the caller takes
  // as an answer, a cache miss): on to the next call, or the response.
  // Tail call.
  void call_done(RequestId id, Request& r);
  // Sends the request to `target` (a node of the tier the step calls). Tail
  // call: the request may have ended when it returns.
  void send_call(RequestId id, Request& r, Node& target);
  // Fails the request. Tail call.
  void fail(RequestId id, FailureReason reason);

  void configure_admission(SlotPool::Config config, FailureReason reject_reason);
  // Nodes of the next tier that share this node's host.
  Node* co_located_next(int next_tier) const;

  Stack& stack_;
  sim::Simulation& sim_;
  const TierConfig& tier_;
  int tier_index_;
  int index_in_tier_;
  std::uint32_t id_;
  std::string name_;
  Host& host_;

 private:
  void on_response(RequestId id, Request& r);
  void serve(RequestId id, Request& r);
  void continue_disk_or_calls(RequestId id, Request& r);
  void next_call(RequestId id, Request& r);
  // Sends the calls of the fan-out group at f.step, one branch each. Tail call.
  // Out of line, as branch_done: next_call and call_done, on every call's
  // path, stay small enough to inline (call_done would otherwise recurse).
  [[gnu::noinline]] void fan_out(RequestId id, Request& r);
  // A branch's call is over: it joins its parent. Tail call.
  [[gnu::noinline]] void branch_done(RequestId id, Request& r);
  void respond(RequestId id, Request& r);

  SlotPool admission_;
  FailureReason admission_reject_ = FailureReason::kServerQueue;
  bool process_up_ = true;
  sim::TimeWeighted present_;
  std::uint64_t tier_hash_;
};

}  // namespace models
