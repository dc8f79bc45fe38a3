// Writing results to a file all at once or not at all.
#pragma once

#include <filesystem>
#include <string_view>

namespace cli {

// Throws std::system_error naming the file when `file` looks unwritable
// (missing or read-only directory). Run before a long simulation, so it is
// not wasted; write_file_atomically still handles every failure itself.
void check_writable(const std::filesystem::path& file);

// Writes `content` to a temporary file beside `file`, fsyncs it and renames it
// over `file`, so readers see the old file or the whole new one. On failure
// the temporary file is removed and std::system_error names the file.
void write_file_atomically(const std::filesystem::path& file, std::string_view content);

}  // namespace cli
