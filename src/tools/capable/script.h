// Compatibility scripts (.mcs files): the bytes to send to a memcached-compatible server, step by
// step, and how to collect each step's reply. The format is described in README.md beside this
// file. Parsing is pure (text in, Script out); variables (`${name}`) are resolved only when a
// script runs, because their values come from an earlier reply of the same server.
// Thread safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/result.h"

namespace mnemo::compat {

// Literal bytes, or a reference to a variable captured earlier in the same run.
struct Segment {
  std::string bytes;
  std::string variable;  // non-empty: substitute the captured value at run time
};

enum class Split {
  kNone,   // one write
  kBytes,  // one write per byte
  kEvery,  // writes of `split_args[0]` bytes
  kAt,     // writes cut at the offsets in `split_args`
};

enum class Collect {
  kSync,  // send the sync marker, read until its reply (the marker's reply is dropped)
  kEof,   // read until the server closes the connection
  kIdle,  // read until nothing arrives for `idle_ms`
};

// Normalisations applied to both servers' replies before they are compared. Each one hides a
// difference that memcached itself does not promise to keep (see README.md).
enum class Mask {
  kCas,         // CAS values in VALUE lines and meta `c` flags
  kTtl,         // meta `t` (TTL) and `l` (last access) flags, rounded to ten seconds
  kMe,          // `me` la/cas/cls/size values; exp rounded like kTtl
  kVersion,     // VERSION text
  kBinCas,      // CAS field of successful binary responses
  kBinVersion,  // body of binary Version responses
};

struct Capture {
  std::string name;
  std::string regex;        // ECMAScript; group 1 is captured. Empty: binary_cas
  bool binary_cas = false;  // the 8 CAS bytes of the first binary response packet
};

struct Step {
  int line = 0;  // line of the step's collect directive, for messages
  std::vector<Segment> payload;
  Split split = Split::kNone;
  std::vector<std::size_t> split_args;
  Collect collect = Collect::kSync;
  int idle_ms = 0;
  std::vector<Mask> masks;
  std::vector<Capture> captures;
};

struct Script {
  std::string name;     // "<group>/<file name without .mcs>"
  bool fresh = false;   // needs its own newly started servers
  bool binary = false;  // binary protocol: sync with a noop, render replies as packets
  std::vector<Step> steps;
};

// The opaque of the binary noop the runner sends as its sync marker.
inline constexpr std::uint32_t kSyncOpaque = 0x5eedf00d;

Result<Script> ParseScript(std::string_view text, const std::string& name);

// Reads and parses `dir`/`relative_path`; the script is named after the relative path.
Result<Script> LoadScript(const std::string& dir, const std::string& relative_path);

// Every `<group>/<name>.mcs` below `dir`, sorted, as paths relative to `dir`.
std::vector<std::string> FindScripts(const std::string& dir);

const char* MaskName(Mask mask);

}  // namespace mnemo::compat
