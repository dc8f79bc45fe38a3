// Writing results to a file all at once or not at all.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "loader/bad_input.hpp"

namespace cli {

// An output file that cannot be written, with the reason: exit status 2, as
// for other bad input, since a different path fixes it.
class OutputError : public loader::BadInput {
 public:
  using loader::BadInput::BadInput;
};

// Throws OutputError naming the file and the reason when `file` cannot be
// written: it is a directory, its directory is missing, or no file can be
// created there (tried with a temporary file, which is what
// write_file_atomically needs). Run before a long simulation, so it is not
// wasted; write_file_atomically still handles every failure itself.
void check_writable(const std::filesystem::path& file);

// Writes `content` to a temporary file beside `file`, fsyncs it and renames it
// over `file`, so readers see the old file or the whole new one. On failure
// the temporary file is removed and OutputError names the file.
void write_file_atomically(const std::filesystem::path& file, std::string_view content);

}  // namespace cli
