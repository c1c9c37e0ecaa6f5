// Turns the payload notations of .mcs scripts into bytes: "quoted strings" with C-style escapes,
// hex digits, and binary-protocol request packets described field by field (lengths computed
// unless overridden, so scripts can also send inconsistent ones on purpose).
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "mnemo/result.h"
#include "tools/capable/script.h"

namespace mnemo::compat {

// `token` is one "..." string: \r \n \t \0 \\ \" \$ \xNN escapes; ${name} is a variable.
Result<std::vector<Segment>> DecodeQuoted(const std::string& token);

// Hex digits (blanks and '_' between bytes are ignored); a token ${name} is a variable.
Result<std::vector<Segment>> DecodeHex(const std::vector<std::string>& tokens);

// One binary request from name=value tokens: op= (required), key="..", value="..",
// extras=<hex>, opaque=, cas= (a number or ${name} holding 8 raw bytes), magic=, datatype=,
// vbucket=, and keylen=, extlen=, bodylen= to override the computed lengths.
// Numbers are decimal or 0x-prefixed hex.
Result<std::vector<Segment>> BuildPacket(const std::vector<std::string>& tokens);

}  // namespace mnemo::compat
