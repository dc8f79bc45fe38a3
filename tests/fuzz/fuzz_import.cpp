// Configuration importer (tiersim import): the input is a set of files, each
// after a header line "== NAME", written to a private folder and imported as
// `tiersim import` would take them:
//
//   haproxy.cfg           --haproxy lb1=haproxy.cfg (and lb2=haproxy2.cfg, or
//                         lb2=haproxy.cfg again when keepalived files are given)
//   keepalived-lb1.conf,  --keepalived lb1=..., --keepalived lb2=...
//   keepalived-lb2.conf
//   nginx.conf            --nginx nginx.conf (and nginx2.conf)
//   overlay.yaml          --overlay overlay.yaml
//   any other NAME        only a file, for nginx's include (conf.d/x.conf)
//
// An ImportError or a ScenarioError (from the overlay) is the expected answer
// to bad input. What imports must load as a scenario and run briefly; any
// other exception, crash or sanitizer report is a finding.
#include <stdlib.h>  // mkdtemp

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "import/scenario.hpp"
#include "loader/scenario_loader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

namespace fs = std::filesystem;

// At most this many files; a name is one or two path parts of letters,
// digits, '.', '_' and '-', not starting with '.', so that every file stays
// inside the private folder.
constexpr std::size_t kMaxFiles = 8;

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  int parts = 1;
  bool part_start = true;
  for (const char c : name) {
    if (c == '/') {
      if (part_start) return false;
      ++parts;
      part_start = true;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok || (part_start && c == '.')) return false;
    part_start = false;
  }
  return !part_start && parts <= 2;
}

struct File {
  std::string name;
  std::string text;
};

// Splits the input at lines "== NAME"; text before the first header, and
// files with invalid or repeated names, are dropped.
std::vector<File> split(std::string_view input) {
  std::vector<File> files;
  File* current = nullptr;
  std::size_t pos = 0;
  while (pos < input.size()) {
    std::size_t end = input.find('\n', pos);
    const std::size_t next = end == std::string_view::npos ? input.size() : end + 1;
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(pos, end - pos);
    if (line.substr(0, 3) == "== ") {
      current = nullptr;
      const std::string_view name = line.substr(3);
      bool repeated = false;
      for (const auto& f : files) repeated = repeated || f.name == name;
      if (valid_name(name) && !repeated && files.size() < kMaxFiles) {
        files.push_back({std::string(name), {}});
        current = &files.back();
      }
    } else if (current) {
      current->text.append(input.substr(pos, next - pos));
    }
    pos = next;
  }
  return files;
}

// The private folder, created at the first input and removed at exit
// (libFuzzer ends by exit() also when it reports a finding).
char work_dir_name[64];

void remove_work_dir() {
  std::error_code ignored;
  fs::remove_all(work_dir_name, ignored);
}

const fs::path& work_dir() {
  static const fs::path dir = [] {
    const std::string pattern = (fs::temp_directory_path() / "fuzz-import-XXXXXX").string();
    if (pattern.size() >= sizeof work_dir_name) throw std::runtime_error("temporary folder name too long: " + pattern);
    pattern.copy(work_dir_name, pattern.size());
    if (::mkdtemp(work_dir_name) == nullptr) throw std::runtime_error("cannot create " + pattern);
    std::atexit(remove_work_dir);
    return fs::path(work_dir_name);
  }();
  return dir;
}

config_import::NodeFile node(const std::string& host, const fs::path& path) {
  return {host, path, "--fuzz " + path.filename().string()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path& dir = work_dir();
  // A fresh folder for every input: no file of an earlier input is read.
  for (const auto& entry : fs::directory_iterator(dir)) fs::remove_all(entry.path());
  const std::vector<File> files = split(fuzz::as_text(data, size));
  const auto has = [&](std::string_view name) {
    for (const auto& f : files) {
      if (f.name == name) return true;
    }
    return false;
  };
  for (const auto& f : files) {
    const fs::path path = dir / f.name;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary);
    out << f.text;
    // A name that is also a folder ("a" and "a/b") cannot be written: the
    // importer then reports the missing or unreadable file, as it should.
  }

  config_import::ImportRequest request;
  const bool keepalived = has("keepalived-lb1.conf") || has("keepalived-lb2.conf");
  if (has("haproxy.cfg")) {
    request.haproxy.push_back(node("lb1", dir / "haproxy.cfg"));
    if (has("haproxy2.cfg")) {
      request.haproxy.push_back(node("lb2", dir / "haproxy2.cfg"));
    } else if (keepalived) {
      request.haproxy.push_back(node("lb2", dir / "haproxy.cfg"));
    }
  }
  if (has("keepalived-lb1.conf")) request.keepalived.push_back(node("lb1", dir / "keepalived-lb1.conf"));
  if (has("keepalived-lb2.conf")) request.keepalived.push_back(node("lb2", dir / "keepalived-lb2.conf"));
  if (has("nginx.conf")) request.nginx.push_back(node("", dir / "nginx.conf"));
  if (has("nginx2.conf")) request.nginx.push_back(node("", dir / "nginx2.conf"));
  if (has("overlay.yaml")) request.overlay = dir / "overlay.yaml";

  config_import::ImportResult result;
  try {
    result = config_import::import_configs(request);
  } catch (const config_import::ImportError&) {
    return 0;
  } catch (const loader::ScenarioError&) {
    return 0;
  }
  (void)config_import::format_notes(result.notes);
  // The importer promises a scenario that loads: an error here is a finding.
  fuzz::short_run(loader::load_scenario_text(result.yaml, "imported.yaml", dir));
  return 0;
}
