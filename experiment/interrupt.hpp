// SIGINT and SIGTERM without partial output files. Once handle_signals() has
// run, the first of them waits for the output section in progress (a row
// being appended to a sweep file, a finished file being renamed into
// place), removes the registered temporary files, and ends tiersim by that
// signal; every output file is then whole or absent, and a sweep resumes
// where it stopped. A second signal while the first waits ends tiersim at
// once, after removing the temporary files. docs/reliability.md says more.
#pragma once

#include <filesystem>
#include <mutex>

namespace experiment {

// Call once, first thing in main, before any thread starts: the signals are
// blocked in every thread and a watcher thread takes them. A signal that the
// parent left ignored (as a shell does for background jobs) stays ignored.
void handle_signals();

// What the first signal prints on stderr instead of the usual line; nullptr
// prints nothing. Under MPI, mpirun's SIGTERM may mean that another rank
// died, and only rank 0 speaks. `text` must outlive the process.
void set_signal_message(const char* text);

// Hold while changing an output in a way an interrupt must not cut in two.
// Without handle_signals() it is a plain, uncontended lock.
std::unique_lock<std::mutex> output_section();

// A temporary file that an interrupt removes: one being written beside its
// target before it is renamed into place. Register and unregister it inside
// an output section, together with creating and renaming it, so that no
// interrupt falls between the two.
void add_temporary(const std::filesystem::path& file);
void remove_temporary(const std::filesystem::path& file);

}  // namespace experiment
