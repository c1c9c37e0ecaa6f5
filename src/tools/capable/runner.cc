#include "tools/capable/runner.h"

#include <map>
#include <regex>
#include <thread>
#include <utility>

#include "tools/capable/connection.h"
#include "tools/capable/transcript.h"

namespace mnemo::compat {
namespace {

constexpr std::string_view kTextSync = "mn\r\n";
constexpr std::string_view kTextSyncReply = "MN\r\n";

using Variables = std::map<std::string, std::string>;

std::string BinarySyncPacket(std::uint8_t magic) {
  std::string packet(24, '\0');
  packet[0] = static_cast<char>(magic);
  packet[1] = 0x0a;  // noop
  for (int i = 0; i < 4; ++i) packet[12 + i] = static_cast<char>(kSyncOpaque >> (8 * (3 - i)));
  return packet;
}

// Where the sync noop's reply starts in `reply`, or npos. Walks whole response packets so that a
// value containing the same bytes cannot fool it; falls back to the tail when the stream is not
// well-formed packets.
std::size_t FindBinarySync(std::string_view reply) {
  static const std::string kReply = BinarySyncPacket(0x81);
  std::size_t at = 0;
  while (reply.size() - at >= 24 && static_cast<unsigned char>(reply[at]) == 0x81) {
    std::size_t length = 24 + BigEndian(reply.substr(at + 8, 4));
    if (reply.size() - at < length) return std::string_view::npos;
    if (reply.substr(at, 24) == kReply) return at;
    at += length;
  }
  if (reply.size() >= 24 && reply.ends_with(kReply)) return reply.size() - 24;
  return std::string_view::npos;
}

// Lines of `text` that are exactly `word` or start with `word` and a space.
std::size_t CountLines(std::string_view text, std::string_view word) {
  std::size_t count = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t eol = text.find('\n', at);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(at, eol - at);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line == word || (line.starts_with(word) && line.substr(word.size()).starts_with(' '))) {
      ++count;
    }
    at = eol + 1;
  }
  return count;
}

// Where the sync marker's reply starts in `reply`, or npos. A text script may send `mn` itself,
// so the marker's MN is the one after the `mn_in_payload` MNs the payload asked for.
std::size_t FindSync(std::string_view reply, bool binary, std::size_t mn_in_payload) {
  if (binary) return FindBinarySync(reply);
  if (!reply.ends_with(kTextSyncReply)) return std::string_view::npos;
  if (CountLines(reply, "MN") <= mn_in_payload) return std::string_view::npos;
  return reply.size() - kTextSyncReply.size();
}

Result<std::string> Substitute(const std::vector<Segment>& payload, const Variables& variables) {
  std::string out;
  for (const Segment& segment : payload) {
    if (segment.variable.empty()) {
      out += segment.bytes;
      continue;
    }
    auto it = variables.find(segment.variable);
    if (it == variables.end()) return Error{"variable ${" + segment.variable + "} not captured"};
    out += it->second;
  }
  return out;
}

std::vector<std::string_view> Pieces(std::string_view bytes, const Step& step) {
  std::vector<std::string_view> pieces;
  std::size_t at = 0;
  while (at < bytes.size()) {
    std::size_t next = bytes.size();
    if (step.split == Split::kBytes) next = at + 1;
    if (step.split == Split::kEvery) next = std::min(bytes.size(), at + step.split_args[0]);
    if (step.split == Split::kAt) {
      for (std::size_t offset : step.split_args) {
        if (offset > at && offset < bytes.size()) {
          next = offset;
          break;
        }
      }
    }
    pieces.push_back(bytes.substr(at, next - at));
    at = next;
  }
  return pieces;
}

void CaptureFrom(const Step& step, std::string_view reply, Variables* variables) {
  for (const Capture& capture : step.captures) {
    if (capture.binary_cas) {
      if (reply.size() >= 24) (*variables)[capture.name] = std::string(reply.substr(16, 8));
      continue;
    }
    std::match_results<std::string_view::const_iterator> match;
    if (std::regex_search(reply.begin(), reply.end(), match, std::regex(capture.regex)) &&
        match.size() > 1) {
      (*variables)[capture.name] = match[1].str();
    }
  }
}

class ScriptRun {
 public:
  ScriptRun(const Script& script, const RunOptions& options) : script_(script), options_(options) {}
  // Runs one step; false when the connection is gone and later steps cannot run.
  bool Step(const compat::Step& step, Connection& client, StepResult* result);

 private:
  bool SendPayload(const compat::Step& step, Connection& client, StepResult* result);
  void Collect(const compat::Step& step, Connection& client, StepResult* result);

  const Script& script_;
  const RunOptions& options_;
  Variables variables_;
};

bool ScriptRun::Step(const compat::Step& step, Connection& client, StepResult* result) {
  Result<std::string> payload = Substitute(step.payload, variables_);
  if (!payload.ok()) {
    result->note = payload.error().message;
    return false;
  }
  result->sent = std::move(payload).value();
  if (!SendPayload(step, client, result)) {
    result->ending = Ending::kClosed;
    return false;
  }
  Collect(step, client, result);
  CaptureFrom(step, result->reply, &variables_);
  return result->ending != Ending::kClosed && result->ending != Ending::kTimeout;
}

bool ScriptRun::SendPayload(const compat::Step& step, Connection& client, StepResult* result) {
  std::vector<std::string_view> pieces = Pieces(result->sent, step);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0) std::this_thread::sleep_for(options_.split_delay);
    Result<void> sent = client.Send(pieces[i], options_.step_timeout);
    if (!sent.ok()) {
      result->note = sent.error().message;
      return false;
    }
  }
  return true;
}

void ScriptRun::Collect(const compat::Step& step, Connection& client, StepResult* result) {
  std::string* reply = &result->reply;
  ReadEnd end;
  auto never = [](std::string_view) { return false; };
  if (step.collect == Collect::kEof) {
    end = client.ReadUntil(reply, never, options_.step_timeout);
  } else if (step.collect == Collect::kIdle) {
    end = client.ReadUntil(reply, never, options_.step_timeout,
                           std::chrono::milliseconds(step.idle_ms));
  } else {
    std::string marker(kTextSync);
    if (script_.binary) marker = BinarySyncPacket(0x80);
    std::size_t mn_in_payload = script_.binary ? 0 : CountLines(result->sent, "mn");
    // A failed marker write means the server has closed; the read below then reports it.
    [[maybe_unused]] Result<void> sent = client.Send(marker, options_.step_timeout);
    auto synced = [&](std::string_view r) {
      return FindSync(r, script_.binary, mn_in_payload) != r.npos;
    };
    end = client.ReadUntil(reply, synced, options_.step_timeout);
    if (end == ReadEnd::kDone) reply->resize(FindSync(*reply, script_.binary, mn_in_payload));
  }
  switch (end) {
    case ReadEnd::kDone:
      result->ending = Ending::kSynced;
      break;
    case ReadEnd::kClosed:
      result->ending = Ending::kClosed;
      break;
    case ReadEnd::kIdle:
      result->ending = Ending::kIdle;
      break;
    case ReadEnd::kTimeout:
      result->ending = Ending::kTimeout;
      break;
  }
}

}  // namespace

const char* EndingName(Ending ending) {
  switch (ending) {
    case Ending::kSynced:
      return "synced";
    case Ending::kClosed:
      return "closed by server";
    case Ending::kIdle:
      return "idle";
    case Ending::kTimeout:
      return "TIMED OUT";
    case Ending::kNotRun:
      return "not run";
  }
  return "?";
}

Transcript RunScript(const Script& script, const Endpoint& endpoint, const RunOptions& options) {
  Transcript transcript;
  transcript.steps.resize(script.steps.size());
  Result<Connection> client =
      Connection::Open(endpoint.host, endpoint.port, options.connect_timeout);
  if (!client.ok()) {
    transcript.error = "cannot connect to " + endpoint.host + ":" + std::to_string(endpoint.port) +
                       ": " + client.error().message;
    return transcript;
  }
  ScriptRun run(script, options);
  for (std::size_t i = 0; i < script.steps.size(); ++i) {
    if (!run.Step(script.steps[i], *client, &transcript.steps[i])) break;
  }
  return transcript;
}

}  // namespace mnemo::compat
