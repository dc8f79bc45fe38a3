#include "cli/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "experiment/interrupt.hpp"

namespace cli {

namespace {

std::filesystem::path directory_of(const std::filesystem::path& file) {
  return file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
}

[[noreturn]] void fail(const std::filesystem::path& file, int error) {
  throw std::system_error(error, std::generic_category(), "cannot write " + file.string());
}

}  // namespace

void check_writable(const std::filesystem::path& file) {
  if (::access(directory_of(file).c_str(), W_OK | X_OK) != 0) fail(file, errno);
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
