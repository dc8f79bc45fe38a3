#include "cli/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "experiment/interrupt.hpp"

namespace cli {

namespace {

std::filesystem::path directory_of(const std::filesystem::path& file) {
  return file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
}

// The reason in the file system's words, except where they mislead: creating
// a file in a directory that exists but refuses new files (/proc, /sys) fails
// with "No such file or directory".
[[noreturn]] void fail(const std::filesystem::path& file, int error) {
  const std::filesystem::path directory = directory_of(file);
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored)) {
    throw OutputError(fmt::format("cannot write {}: it is a directory", file.string()));
  }
  if (!std::filesystem::exists(directory, ignored)) {
    throw OutputError(fmt::format("cannot write {}: the directory {} does not exist", file.string(), directory.string()));
  }
  if (!std::filesystem::is_directory(directory, ignored)) {
    throw OutputError(fmt::format("cannot write {}: {} is not a directory", file.string(), directory.string()));
  }
  if (error == ENOENT) {
    throw OutputError(fmt::format("cannot write {}: the directory {} does not accept new files (the file system "
                                  "says: {})",
                                  file.string(), directory.string(), std::strerror(error)));
  }
  throw OutputError(fmt::format("cannot write {}: {}", file.string(), std::strerror(error)));
}

}  // namespace

void check_writable(const std::filesystem::path& file) {
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored)) fail(file, EISDIR);
  // A probe as write_file_atomically will do it: access() would pass a root
  // user on a directory such as /proc, where no file can be created.
  std::string probe = (directory_of(file) / ".tiersim-probe.XXXXXX").string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) fail(file, errno);
  ::close(fd);
  ::unlink(probe.c_str());
}

void write_file_atomically(const std::filesystem::path& file, std::string_view content) {
  std::string temp = (directory_of(file) / ("." + file.filename().string() + ".XXXXXX")).string();
  int fd = -1;
  {
    const auto section = experiment::output_section();
    fd = ::mkstemp(temp.data());
    if (fd < 0) fail(file, errno);
    experiment::add_temporary(temp);
  }
  const auto forget_temporary = [&] {
    ::unlink(temp.c_str());
    experiment::remove_temporary(temp);
  };
  const auto abandon = [&](int error) {
    ::close(fd);
    forget_temporary();
    fail(file, error);
  };
  // mkstemp creates the file 0600; give the result the usual umask-based mode.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) abandon(errno);
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      abandon(errno);
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  if (::fsync(fd) != 0) abandon(errno);
  if (::close(fd) != 0) {
    const int error = errno;
    forget_temporary();
    fail(file, error);
  }
  const auto section = experiment::output_section();
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const int error = errno;
    forget_temporary();
    fail(file, error);
  }
  experiment::remove_temporary(temp);
}

}  // namespace cli
