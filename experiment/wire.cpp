// Hand-written: Boost.Serialization (1.74 in Debian 12) has no archive for
// std::optional or unsigned __int128 and would need the same list of fields
// per struct; these structs are plain data, and a list of fields with two
// visitors (write, read) is all it takes.
#include "experiment/wire.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace experiment::wire {

namespace {

// A field added to one of these structs must be sent too: add it to its
// fields() below, then update the size here.
static_assert(sizeof(models::RunResult) == 496, "models::RunResult changed: update its fields() in wire.cpp");
static_assert(sizeof(models::ClassResult) == 288, "models::ClassResult changed: update its fields() in wire.cpp");
static_assert(sizeof(models::TierResult) == 128, "models::TierResult changed: update its fields() in wire.cpp");
static_assert(sizeof(models::NodeResult) == 128, "models::NodeResult changed: update its fields() in wire.cpp");
static_assert(sizeof(models::SloResult) == 72, "models::SloResult changed: update its fields() in wire.cpp");
static_assert(sizeof(models::FaultImpact) == 80, "models::FaultImpact changed: update its fields() in wire.cpp");
static_assert(sizeof(models::RequestCounts) == 24 + 8 * models::kFailureReasonCount,
              "models::RequestCounts changed: update its fields() in wire.cpp");
static_assert(sizeof(WarmupDetection) == 40, "WarmupDetection changed: update its fields() in wire.cpp");
static_assert(sizeof(WorkUnit) == 40, "WorkUnit changed: update its fields() in wire.cpp");

template <class F> void fields(F& f, models::StaleReads& x) { f(x.count, x.replica_reads); }
template <class F> void fields(F& f, models::RequestCounts& x) { f(x.offered, x.succeeded, x.good, x.failed); }
template <class F> void fields(F& f, sim::LatencyHistogram& x) { x.visit_state(f); }
template <class F> void fields(F& f, models::ClassResult& x) { f(x.name, x.counts, x.latency, x.stale_reads); }
template <class F> void fields(F& f, models::TierResult& x) { f(x.name, x.kind, x.sojourn); }
template <class F> void fields(F& f, models::NodeResult& x) {
  f(x.name, x.tier, x.host, x.cpu_utilization, x.nic_utilization, x.disk_utilization, x.queue_mean);
}
template <class F> void fields(F& f, models::FaultImpact& x) { f(x.fault, x.start, x.detected, x.recovered, x.failed); }
template <class F> void fields(F& f, models::SloResult& x) {
  f(x.target, x.latency, x.window, x.windows, x.good_windows, x.faults);
}
template <class F> void fields(F& f, models::RunResult& x) {
  f(x.scenario, x.seed, x.replication, x.duration, x.warmup, x.totals, x.latency, x.classes, x.tiers, x.nodes,
    x.attempts, x.retries, x.slo, x.stale_reads, x.events, x.wall_seconds);
}
template <class F> void fields(F& f, MserCut& x) { f(x.batches, x.cut_batches, x.cut, x.at_limit); }
template <class F> void fields(F& f, WarmupDetection& x) { f(x.window, x.mser); }
template <class F> void fields(F& f, WorkUnit& x) { f(x.group, x.scenario, x.replication, x.pilot, x.warmup); }
template <class F> void fields(F& f, UnitResult& x) { f(x.pilot, x.run); }

template <class T>
constexpr bool kPlain = std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_same_v<T, unsigned __int128>;

class Writer {
 public:
  template <class... T>
  void operator()(const T&... values) {
    (put(values), ...);
  }
  std::string bytes;

 private:
  template <class T>
  void put(const T& value) {
    if constexpr (kPlain<T>) {
      bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
    } else {
      fields(*this, const_cast<T&>(value));
    }
  }
  void put(const std::string& s) {
    put(static_cast<std::uint64_t>(s.size()));
    bytes += s;
  }
  template <class T>
  void put(const std::optional<T>& o) {
    put(o.has_value());
    if (o) put(*o);
  }
  template <class T, std::size_t N>
  void put(const std::array<T, N>& a) {
    for (const auto& x : a) put(x);
  }
  template <class T>
  void put(const std::vector<T>& v) {
    put(static_cast<std::uint64_t>(v.size()));
    for (const auto& x : v) put(x);
  }
  // Counters, mostly zero (a histogram's 3,712 buckets): the others, with their indices.
  void put(const std::vector<std::uint64_t>& v) {
    put(static_cast<std::uint64_t>(v.size()));
    std::uint64_t nonzero = 0;
    for (const auto x : v) nonzero += x != 0;
    put(nonzero);
    for (std::uint64_t i = 0; i < v.size(); ++i) {
      if (v[i] != 0) put(i, v[i]);
    }
  }
  void put(std::uint64_t a, std::uint64_t b) {
    put(a);
    put(b);
  }
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  template <class... T>
  void operator()(T&... values) {
    (get(values), ...);
  }
  void expect_end() const {
    if (!bytes_.empty()) throw std::runtime_error("a message from another MPI rank has trailing bytes");
  }

 private:
  void take(void* into, std::size_t size) {
    if (bytes_.size() < size) throw std::runtime_error("a message from another MPI rank is cut short");
    std::memcpy(into, bytes_.data(), size);
    bytes_.remove_prefix(size);
  }
  std::uint64_t length() {
    std::uint64_t n = 0;
    get(n);
    // Each element takes at least one byte: a larger count is corrupt, not a huge allocation.
    if (n > bytes_.size()) throw std::runtime_error("a message from another MPI rank is cut short");
    return n;
  }
  template <class T>
  void get(T& value) {
    if constexpr (kPlain<T>) {
      take(&value, sizeof value);
    } else {
      fields(*this, value);
    }
  }
  void get(bool& value) {
    unsigned char byte = 0;
    take(&byte, 1);
    if (byte > 1) throw std::runtime_error("a message from another MPI rank holds a bad flag");
    value = byte == 1;
  }
  void get(std::string& s) {
    s.resize(length());
    take(s.data(), s.size());
  }
  template <class T>
  void get(std::optional<T>& o) {
    bool present = false;
    get(present);
    if (!present) {
      o.reset();
      return;
    }
    o.emplace();
    get(*o);
  }
  template <class T, std::size_t N>
  void get(std::array<T, N>& a) {
    for (auto& x : a) get(x);
  }
  template <class T>
  void get(std::vector<T>& v) {
    v.resize(length());
    for (auto& x : v) get(x);
  }
  void get(std::vector<std::uint64_t>& v) {
    std::uint64_t size = 0, nonzero = 0;
    get(size);
    get(nonzero);
    // A histogram's size is fixed; anything far larger is corrupt.
    if (size > (1u << 20) || nonzero > size) throw std::runtime_error("a message from another MPI rank is corrupt");
    v.assign(size, 0);
    for (std::uint64_t k = 0; k < nonzero; ++k) {
      std::uint64_t i = 0;
      get(i);
      if (i >= size) throw std::runtime_error("a message from another MPI rank is corrupt");
      get(v[i]);
    }
  }

  std::string_view bytes_;
};

}  // namespace

std::string encode(const WorkUnit& unit) {
  Writer w;
  w(unit);
  return std::move(w.bytes);
}

WorkUnit decode_unit(std::string_view bytes) {
  Reader r(bytes);
  WorkUnit unit;
  r(unit);
  r.expect_end();
  return unit;
}

std::string encode(const WorkUnit& unit, const UnitResult& result) {
  Writer w;
  w(unit, result);
  return std::move(w.bytes);
}

std::pair<WorkUnit, UnitResult> decode_result(std::string_view bytes) {
  Reader r(bytes);
  std::pair<WorkUnit, UnitResult> out;
  r(out.first, out.second);
  r.expect_end();
  return out;
}

}  // namespace experiment::wire
