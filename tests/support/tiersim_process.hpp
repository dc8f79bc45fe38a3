// Running the built tiersim (or any program) from a test as a user would:
// stdin from /dev/null, stdout and stderr to files, so stderr is never a
// terminal and progress lines stay off.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/files.hpp"

extern char** environ;

namespace test_support {

struct Outcome {
  int status = -1;  // exit status; -1 when killed by a signal or not started
  int signal = 0;   // the signal that ended it, if one did
  std::string out;
  std::string err;
};

// Starts `program args...` writing to the files out and err. Returns its pid,
// or -1 (and fails the test) when it cannot start.
inline pid_t start_process(const std::filesystem::path& program, const std::vector<std::string>& args,
                           const std::filesystem::path& out, const std::filesystem::path& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> strings{program.string()};
  strings.insert(strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  // SIGINT and SIGTERM as from a terminal, even when this test runs as a
  // background job (whose shell ignores SIGINT for it and its children).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  posix_spawnattr_setsigdefault(&attributes, &signals);
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attributes, &signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    ADD_FAILURE() << "cannot start " << program << ": " << std::strerror(error);
    return -1;
  }
  return pid;
}

// Waits for a process from start_process and reads what it wrote.
inline Outcome finish_process(pid_t pid, const std::filesystem::path& out, const std::filesystem::path& err) {
  Outcome outcome;
  if (pid < 0) return outcome;
  int status = 0;
  ::waitpid(pid, &status, 0);
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  outcome.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  outcome.out = read_file(out);
  outcome.err = read_file(err);
  return outcome;
}

// JSON output with the wall-clock time, the one value that varies between runs, removed.
inline nlohmann::ordered_json without_wall_time(const std::string& text) {
  auto json = nlohmann::ordered_json::parse(text);
  json["engine"].erase("wall_s");
  return json;
}

}  // namespace test_support
