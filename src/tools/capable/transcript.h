// Makes two servers' transcripts comparable and readable: applies a step's masks (the few
// normalisations allowed where a compatible server may legitimately differ), renders bytes as
// escaped text (binary replies packet by packet) and reports differing steps.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/capable/runner.h"
#include "tools/capable/script.h"

namespace mnemo::compat {

// The big-endian unsigned value of up to 8 bytes.
std::uint64_t BigEndian(std::string_view bytes);

// `reply` with every mask applied; text masks only touch reply header lines, never value data.
std::string ApplyMasks(std::string_view reply, const std::vector<Mask>& masks, bool binary);

// Escaped rendering: printable ASCII as is, \r \n \t \\ and \xNN otherwise, one output line per
// reply line (text) or per response packet (binary).
std::string Render(std::string_view bytes, bool binary);

// Empty when every step of `transcript` ended the way `script` says (synced, closed or idle, as
// its collect line asks) and the connection could be made; otherwise what went wrong first. On
// the reference server this checks the script itself; on any server, that it kept in step.
std::string CheckEndings(const Script& script, const Transcript& transcript);

// Empty when `candidate` matches `reference` byte for byte after each step's masks; otherwise a
// report of every differing step: what was sent, both replies escaped, first difference marked.
std::string CompareTranscripts(const Script& script, const Transcript& reference,
                               const Transcript& candidate);

// How many times the reference may run a script before a candidate that differs from every
// run fails it.
inline constexpr int kReferenceRuns = 3;

struct ReferenceVerdict {
  std::string broken;  // the reference did not run the script as written (CheckEndings)
  std::string diff;    // the candidate against the reference's first run; empty on a match
};

// Compares `candidate` with the reference's transcript of `script`, running it on `reference`
// up to kReferenceRuns times. memcached's own replies depend on timing in a few places -- an
// incr or decr that shortens a number pads it in place only while no other thread (a reply
// still being written, the LRU maintainer) holds the item -- so a candidate that matches any
// run of the reference replies as memcached can. A `fresh` script runs once: a second run
// would start from the state the first one left.
ReferenceVerdict MatchReference(const Script& script, const Transcript& candidate,
                                const Endpoint& reference, const RunOptions& options);

}  // namespace mnemo::compat
