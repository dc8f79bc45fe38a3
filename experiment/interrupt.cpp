#include "experiment/interrupt.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace experiment {

namespace {

// Leaked on purpose: the watcher may use them while main() returns and
// static objects are destroyed.
std::mutex& section_mutex() {
  static auto* mutex = new std::mutex;
  return *mutex;
}

struct Temporaries {
  std::mutex mutex;
  std::vector<std::string> files;
};

Temporaries& temporaries() {
  static auto* registry = new Temporaries;
  return *registry;
}

void remove_temporaries() {
  Temporaries& t = temporaries();
  std::lock_guard lock(t.mutex);
  for (const auto& file : t.files) ::unlink(file.c_str());
  t.files.clear();
}

std::atomic<const char*> signal_message{
    "\ntiersim: interrupted; finishing the output being written (interrupt again to stop at once)\n"};

void say(const char* text) {
  if (text == nullptr) return;
  // Best effort: stderr may be closed; there is nothing else to tell.
  if (::write(STDERR_FILENO, text, std::char_traits<char>::length(text)) < 0) return;
}

// Ends the process by `signal` itself, so that its parent sees the
// interrupt (a shell script stops; the exit status is 128 + signal).
[[noreturn]] void die_by(int signal) {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  ::sigaction(signal, &default_action, nullptr);
  sigset_t just_this;
  sigemptyset(&just_this);
  sigaddset(&just_this, signal);
  ::pthread_sigmask(SIG_UNBLOCK, &just_this, nullptr);
  ::raise(signal);
  ::_exit(128 + signal);  // not reached: the default action ends the process
}

void watch(sigset_t signals) {
  int first = 0;
  if (::sigwait(&signals, &first) != 0) return;
  say(signal_message.load());
  // Taking the section lock and keeping it until the end stops every other
  // thread from starting another change to an output.
  while (!section_mutex().try_lock()) {
    const timespec poll{0, 10'000'000};
    siginfo_t info;
    if (::sigtimedwait(&signals, &info, &poll) > 0) {
      remove_temporaries();
      die_by(info.si_signo);
    }
  }
  remove_temporaries();
  die_by(first);
}

}  // namespace

void handle_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (const int signal : {SIGINT, SIGTERM}) {
    struct sigaction current {};
    ::sigaction(signal, nullptr, &current);
    if (current.sa_handler != SIG_IGN) sigaddset(&signals, signal);
  }
  if (sigisemptyset(&signals)) return;
  // Threads inherit the mask: blocked everywhere, the signals reach only the
  // watcher's sigwait, never a thread in the middle of a write.
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread(watch, signals).detach();
}

void set_signal_message(const char* text) { signal_message.store(text); }

std::unique_lock<std::mutex> output_section() { return std::unique_lock(section_mutex()); }

void add_temporary(const std::filesystem::path& file) {
  Temporaries& t = temporaries();
  std::lock_guard lock(t.mutex);
  t.files.push_back(file.string());
}

void remove_temporary(const std::filesystem::path& file) {
  Temporaries& t = temporaries();
  std::lock_guard lock(t.mutex);
  const auto it = std::find(t.files.begin(), t.files.end(), file.string());
  if (it != t.files.end()) t.files.erase(it);
}

}  // namespace experiment
