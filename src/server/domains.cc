#include "server/domains.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "server/worker.h"

namespace mnemo::server {
namespace {

constexpr std::string_view kHeader = "mnemo-domains 1";

using DomainMap = std::map<std::string, domains::List, std::less<>>;

Error SystemError(const std::string& what) { return Error{what + ": " + std::strerror(errno)}; }

// Writes all of `data` to `fd`; false on any error.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string DirectoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The rename is durable only once the directory entry is on disk too.
Result<void> SyncDirectory(const std::string& path) {
  const int fd = open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return SystemError("open directory");
  const int rc = fsync(fd);
  close(fd);
  if (rc != 0) return SystemError("fsync directory");
  return {};
}

Result<void> WriteFileAtomically(const std::string& path, std::string_view data) {
  const std::string temp = path + ".tmp";
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return SystemError("open " + temp);
  const bool written = WriteAll(fd, data) && fsync(fd) == 0;
  const Error failure = SystemError("write " + temp);
  close(fd);
  if (!written) {
    unlink(temp.c_str());
    return failure;
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const Error error = SystemError("rename " + temp);
    unlink(temp.c_str());
    return error;
  }
  return SyncDirectory(path);
}

// One "domain NAME VERSION COUNT" block; advances `in`.
Result<void> ParseDomainBlock(std::istringstream& in, const std::string& header, DomainMap& out) {
  std::istringstream fields(header);
  std::string word, name, extra;
  std::uint64_t version = 0;
  std::size_t count = 0;
  if (!(fields >> word >> name >> version >> count) || (fields >> extra) || word != "domain" ||
      !domains::ValidName(name) || version == 0 || count > domains::kMaxUpdateLines) {
    return Error{"bad line \"" + header + "\""};
  }
  domains::List list{version, {}};
  for (std::size_t i = 0; i < count; ++i) {
    std::string line;
    if (!std::getline(in, line) || !line.starts_with("server ")) {
      return Error{"domain " + name + ": missing server lines"};
    }
    std::optional<domains::Server> server = domains::ParseServer(line.substr(7));
    if (!server) return Error{"domain " + name + ": bad line \"" + line + "\""};
    list.servers.push_back(std::move(*server));
  }
  if (!out.emplace(name, std::move(list)).second) return Error{"domain " + name + " twice"};
  return {};
}

}  // namespace

std::string DomainStatePath(const ServerConfig& config) {
  // Absolute, because -d changes the working directory after the file was first read.
  const auto absolute = [](const std::string& path) {
    std::error_code ignored;
    const std::filesystem::path full = std::filesystem::absolute(path, ignored);
    return full.empty() ? path : full.string();
  };
  if (!config.state_dir.empty()) return absolute(config.state_dir + "/domains.state");
  const std::string& snapshot =
      config.snapshot_file.empty() ? config.memory_file : config.snapshot_file;
  return snapshot.empty() ? "" : absolute(snapshot + ".domains");
}

std::string FormatDomainState(const DomainMap& all) {
  std::string text(kHeader);
  text += "\n";
  for (const auto& [name, list] : all) {
    text += "domain " + name + " " + std::to_string(list.version) + " " +
            std::to_string(list.servers.size()) + "\n";
    for (const domains::Server& server : list.servers) text += "server " + server.Text() + "\n";
  }
  text += "end\n";
  return text;
}

Result<DomainMap> ParseDomainState(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string line;
  if (!std::getline(in, line) || line != kHeader) return Error{"not a mnemo domains file"};
  DomainMap all;
  while (std::getline(in, line)) {
    if (line == "end") {
      if (in.peek() != std::char_traits<char>::eof()) return Error{"bytes after the end"};
      return all;
    }
    if (Result<void> block = ParseDomainBlock(in, line, all); !block) return block.error();
  }
  return Error{"truncated (no end line)"};
}

DomainStore::DomainStore(std::string path, const Logger& log) : path_(std::move(path)), log_(log) {
  if (path_.empty()) return;
  std::ifstream file(path_, std::ios::binary);
  if (!file) {
    if (errno != ENOENT) {
      log_.Log(0, "domains " + path_ + ": not loaded, starting empty: " + std::strerror(errno));
    }
    return;
  }
  std::stringstream text;
  text << file.rdbuf();
  Result<DomainMap> loaded = ParseDomainState(text.str());
  if (!loaded) {
    log_.Log(0, "domains " + path_ + ": not loaded, starting empty: " + loaded.error().message);
    return;
  }
  domains_ = std::move(*loaded);
}

domains::List DomainStore::Get(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = domains_.find(name);
  return it == domains_.end() ? domains::List{} : it->second;
}

std::uint64_t DomainStore::Version(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = domains_.find(name);
  return it == domains_.end() ? 0 : it->second.version;
}

std::size_t DomainStore::size() const {
  std::shared_lock lock(mu_);
  return domains_.size();
}

domains::UpdateResult DomainStore::Update(std::string_view name, std::uint64_t version,
                                          std::span<const domains::Change> changes) {
  std::unique_lock lock(mu_);
  auto it = domains_.find(name);
  const std::uint64_t current = it == domains_.end() ? 0 : it->second.version;
  if (version <= current) return {domains::UpdateStatus::kExists, current};
  domains::List next = it == domains_.end() ? domains::List{} : it->second;
  domains::Apply(changes, next.servers);
  next.version = version;
  if (!path_.empty()) {
    // Saved before it is visible, so a client never acts on a list a restart would forget.
    DomainMap all = domains_;
    all[std::string(name)] = next;
    if (Result<void> saved = WriteFileAtomically(path_, FormatDomainState(all)); !saved) {
      log_.Log(0, "domains " + path_ + ": not saved: " + saved.error().message);
      return {domains::UpdateStatus::kFailed, current};
    }
  }
  domains_[std::string(name)] = std::move(next);
  return {domains::UpdateStatus::kUpdated, version};
}

std::vector<domains::ClientInfo> ServerDomains::Clients() {
  std::vector<ConnectionSnapshot> all;
  for (const auto& worker : workers_) worker->Snapshot(all);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.fd < b.fd; });
  const std::int64_t now = MonotonicSeconds();
  std::vector<domains::ClientInfo> clients;
  clients.reserve(all.size());
  for (const ConnectionSnapshot& c : all) {
    // Records name TCP peers "tcp:ip:port" / "tcp6:[ip]:port" (stats conns); `clients`
    // says "ip:port" / "[ip]:port", and keeps "unix:PATH" for Unix-socket clients.
    std::string_view peer = c.peer;
    if (peer.starts_with("tcp:")) peer.remove_prefix(4);
    if (peer.starts_with("tcp6:")) peer.remove_prefix(5);
    if (peer.empty()) peer = "unknown";
    clients.push_back({std::string(peer), c.protocol,
                       static_cast<std::uint64_t>(std::max<std::int64_t>(now - c.opened, 0))});
  }
  return clients;
}

}  // namespace mnemo::server
