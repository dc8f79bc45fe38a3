// A continuation: "call this member function of this object with this
// argument". Plain data (no allocation, no std::function) so it can be stored
// in queues and event records.
#pragma once

#include <cstdint>

#include "sim/event_queue.hpp"

namespace sim {

struct Callback {
  EventFn fn = nullptr;
  void* target = nullptr;
  std::uint64_t arg = 0;

  template <auto Method, class T>
  static Callback to(T* object, std::uint64_t arg = 0) {
    return Callback{&invoke<Method, T>, object, arg};
  }
  void operator()() const { fn(target, arg); }
  explicit operator bool() const { return fn != nullptr; }

 private:
  template <auto Method, class T>
  static void invoke(void* object, std::uint64_t arg) {
    (static_cast<T*>(object)->*Method)(arg);
  }
};

}  // namespace sim
