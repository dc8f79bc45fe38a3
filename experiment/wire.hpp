// Units and their results as bytes, for sending between the processes of
// an MPI job (experiment/cluster.hpp). Every field goes whole, doubles as
// their bits, so that a result read back is the result that was run. The
// ranks of a job run the same build on machines of one architecture, so
// the bytes are the host's own (no byte-order or format version).
#pragma once

#include <string>
#include <string_view>

#include "experiment/study.hpp"

namespace experiment::wire {

std::string encode(const WorkUnit& unit);
// Throws std::runtime_error on bytes that are not a whole unit.
WorkUnit decode_unit(std::string_view bytes);

// A unit and its result.
std::string encode(const WorkUnit& unit, const UnitResult& result);
// Throws std::runtime_error on bytes that are not a whole unit and result.
std::pair<WorkUnit, UnitResult> decode_result(std::string_view bytes);

}  // namespace experiment::wire
