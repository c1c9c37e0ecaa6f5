// Internals of the server configuration shared by its .cc files (not used outside
// src/server/config*): the parse state, the two option tables that drive parsing and --help, and
// the steps ParseCommandLine runs.
//
// Thread safety: the tables are immutable; a ParseState belongs to one parse.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/result.h"
#include "server/config.h"

namespace mnemo::server {

// The config being built plus what the cross-checks need to know about how it was given.
struct ParseState {
  ServerConfig config;
  std::vector<std::string> warnings;
  bool port_given = false;                    // -U then also sets the TCP port, as memcached
  bool protocol_given = false;                // -S and -Y pick the protocol unless -B did
  bool listen_given = false;                  // the first -l replaces the 127.0.0.1 default
  bool chunk_max_given = false;               // slab_chunk_max: -I over 1 MB then keeps it
  std::optional<std::string> print_and_exit;  // -h, -V, -i
};

enum class ArgKind : std::uint8_t { kNone, kRequired, kOptional };

// The value of an option: nullopt when none was given.
using OptionValue = std::optional<std::string_view>;
using ApplyFn = Result<void> (*)(ParseState& state, OptionValue value);

// One command-line flag. `id` is the short letter, or a number >= 256 for a long-only flag.
struct FlagOption {
  int id;
  const char* long_name;  // nullptr: short only
  ArgKind arg;
  std::string_view value_name;  // "<num>" in --help
  std::string_view help;        // lines after the first are indented under it
  ApplyFn apply;
};

// One `-o` key. A key of kind kNone ignores a value given to it, as memcached does.
struct ExtendedOption {
  std::string_view name;
  ArgKind arg;
  std::string_view help;  // empty: covered by the help of the key before it (no_* twins)
  ApplyFn apply;
  std::string_view missing = {};  // the error when a required value is absent
};

std::span<const FlagOption> FlagOptions();
std::span<const ExtendedOption> CoreExtendedOptions();  // extended_options.cc
std::span<const ExtendedOption> TlsExtstoreOptions();   // extended_tls_ext.cc

// Applies one -o argument: comma-separated key[=value] items, left to right.
Result<void> ApplyExtendedList(ParseState& state, std::string_view list);

// Splits one -l argument into addresses; errors use memcached's wording.
Result<std::vector<ListenAddress>> ParseListen(std::string_view spec);

// The checks memcached makes once every flag is read, in its order, then Mnemo's own.
Result<void> Validate(ParseState& state);

// The help text of the -o keys (part of HelpText()) and the licence text of -i.
std::string ExtendedHelpText();
std::string LicenseText();

// Helpers of the option tables. Set() stores a value and succeeds; ReadUint32() stores a
// uint32 (times `scale`, e.g. kilobytes to bytes) or fails with CouldNotParse(key).
template <class T, class U>
Result<void> Set(T& field, U value) {
  field = static_cast<T>(value);
  return {};
}
Result<void> ReadUint32(std::string_view key, OptionValue value, std::uint32_t& out,
                        std::uint32_t scale = 1);

// Shared error wording.
Error Missing(std::string_view key);        // "Missing <key> argument"
Error CouldNotParse(std::string_view key);  // "could not parse argument to <key>"
Error BadFlagValue(std::string_view flag, std::string_view value, std::string_view expected);

}  // namespace mnemo::server
