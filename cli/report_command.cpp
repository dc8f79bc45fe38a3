// tiersim report: one HTML page from saved outputs of run, compare or sweep.
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "report/html_report.hpp"
#include "report/report_inputs.hpp"

namespace cli {

namespace fs = std::filesystem;

std::string report_usage() {
  return "Usage: tiersim report FILE... --html FILE.html\n\n"
         "Writes one self-contained HTML page (nothing is fetched when it is opened) from saved\n"
         "outputs of tiersim: a run's JSON (run --format json), optionally with its --timeseries\n"
         "CSV and its --trace-faults output (saved from stderr); or a comparison (compare --format\n"
         "json or csv); or one or more sweep files over the same keys (CSV or JSONL), drawn\n"
         "together. The same page as --html on run, compare and sweep (docs/html.md).\n\n";
}

void report_options(po::options_description& options) {
  options.add_options()
      ("html", po::value<std::string>()->value_name("FILE.html"),
       "the page to write (required); FILE.html is replaced whole or left untouched");
}

int report_command(const po::variables_map& vm) {
  if (!vm.count("input")) throw UsageError("report: expected at least one FILE; see 'tiersim report --help'");
  if (!vm.count("html")) throw UsageError("report: expected --html FILE.html");
  const fs::path html = *output_flag(vm, "html");
  std::vector<fs::path> files;
  for (const auto& f : vm["input"].as<std::vector<std::string>>()) files.emplace_back(f);
  write_file_atomically(html, report::page_from_files(files));
  return 0;
}

}  // namespace cli
