#include "tests/e2e/omsd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace oms::e2e {

using std::chrono::milliseconds;
using std::chrono::seconds;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, copy[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int WaitExit(pid_t pid, Clock::duration bound) {
  const auto until = Clock::now() + bound;
  for (;;) {
    int status = 0;
    pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (got < 0) return 255;  // not our child any more
    if (Clock::now() >= until) return -1;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

std::string ReadFrom(const std::string& path, std::streamoff offset) {
  std::ifstream in(path);
  in.seekg(offset);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Tail(const std::string& path, int lines) {
  std::string text = ReadFrom(path, 0);
  size_t at = text.size();
  for (int n = 0; n <= lines && at > 0; ++n) {
    at = text.rfind('\n', at - 1);
    if (at == std::string::npos) return text;
  }
  return text.substr(at + 1);
}

int WaitServingPort(const std::string& log, std::streamoff offset, Clock::duration bound, pid_t pid,
                    int* exit_status) {
  const auto until = Clock::now() + bound;
  for (;;) {
    std::string text = ReadFrom(log, offset);
    if (size_t at = text.find("(port "); at != std::string::npos) {
      int port = std::atoi(text.c_str() + at + 6);
      if (port > 0) return port;
    }
    if (pid > 0) {
      if (int rc = WaitExit(pid, milliseconds(0)); rc >= 0) {
        if (exit_status) *exit_status = rc;
        return 0;
      }
    }
    if (Clock::now() >= until) return 0;
    std::this_thread::sleep_for(milliseconds(50));
  }
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// ---------------------------------------------------------------------------------------------
// Replica.

Replica::Replica(std::string binary, std::string conninfo, std::string log, int port,
                 std::string lease_ttl)
    : binary_(std::move(binary)),
      conninfo_(std::move(conninfo)),
      log_(std::move(log)),
      lease_ttl_(std::move(lease_ttl)),
      port_(port) {}

Replica::~Replica() { Stop(); }

bool Replica::Start(std::string* why) {
  std::streamoff offset = 0;
  {
    std::ofstream out(log_, std::ios::app);
    out << "=== failover_loop: start #" << ++starts_ << " ===\n";
    out.flush();
    offset = static_cast<std::streamoff>(out.tellp());
  }
  pid_ = Spawn({binary_, "--postgres", conninfo_, "--listen", address(), "--advertise", address(),
                "--lease-ttl", lease_ttl_},
               log_);
  if (pid_ <= 0) {
    *why = "cannot spawn " + binary_;
    return false;
  }
  int rc = -1;
  if (WaitServingPort(log_, offset, seconds(20), pid_, &rc) > 0) return true;
  if (rc >= 0) {
    *why = fmt::format("omsd on {} exited with status {} before serving", address(), rc);
    pid_ = -1;
    return false;
  }
  *why = fmt::format("omsd on {} printed no \"serving\" line within 20 s", address());
  return false;
}

void Replica::Kill() {
  if (pid_ <= 0) return;
  KillAndReap(pid_);
  pid_ = -1;
  frozen_ = false;
}

void Replica::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  kill(pid_, SIGCONT);
  if (WaitExit(pid_, seconds(10)) < 0) Kill();
  pid_ = -1;
  frozen_ = false;
}

void Replica::Freeze() {
  if (pid_ <= 0) return;
  kill(pid_, SIGSTOP);
  const auto until = Clock::now() + seconds(5);
  while (Clock::now() < until) {
    int status = 0;
    pid_t got = waitpid(pid_, &status, WUNTRACED | WNOHANG);
    if (got == pid_ && WIFSTOPPED(status)) break;
    std::this_thread::sleep_for(milliseconds(1));
  }
  frozen_ = true;
}

void Replica::Thaw() {
  if (pid_ > 0) kill(pid_, SIGCONT);
  frozen_ = false;
}

bool Replica::Alive() {
  if (pid_ <= 0) return false;
  if (WaitExit(pid_, milliseconds(0)) >= 0) pid_ = -1;
  return pid_ > 0;
}

// ---------------------------------------------------------------------------------------------
// Cluster.

Cluster::Cluster(const std::string& binary, const std::string& conninfo, const std::string& dir,
                 int replicas, const std::string& lease_ttl) {
  std::vector<int> ports;
  while (static_cast<int>(ports.size()) < replicas) {
    int p = FreePort();
    if (p > 0 && std::find(ports.begin(), ports.end(), p) == ports.end()) ports.push_back(p);
  }
  for (int i = 0; i < replicas; ++i) {
    replicas_.push_back(std::make_unique<Replica>(
        binary, conninfo, fmt::format("{}/replica{}.log", dir, i), ports[i], lease_ttl));
    health_.push_back(grpc::health::v1::Health::NewStub(Connect(replicas_[i]->address())));
  }
}

std::vector<std::string> Cluster::addresses() const {
  std::vector<std::string> out;
  for (const auto& r : replicas_) out.push_back(r->address());
  return out;
}

bool Cluster::StartAll(std::string* why) {
  for (auto& r : replicas_) {
    if (!r->Start(why)) return false;
  }
  return true;
}

void Cluster::StopAll() {
  for (auto& r : replicas_) r->Stop();
}

bool Cluster::Serving(int i, const std::string& service) {
  if (replicas_[i]->frozen() || replicas_[i]->pid() <= 0) return false;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + milliseconds(500));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  return health_[i]->Check(&ctx, request, &response).ok() &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

int Cluster::Leader() {
  int leader = -1, count = 0;
  for (int i = 0; i < size(); ++i) {
    if (Serving(i, kWriterService)) leader = i, ++count;
  }
  return count == 1 ? leader : -1;
}

int Cluster::WaitLeader(int not_this, Clock::duration bound) {
  const auto until = Clock::now() + bound;
  do {
    int leader = Leader();
    if (leader >= 0 && leader != not_this) return leader;
    std::this_thread::sleep_for(milliseconds(20));
  } while (Clock::now() < until);
  return -1;
}

bool Cluster::WaitServing(int i, Clock::duration bound) {
  const auto until = Clock::now() + bound;
  do {
    if (Serving(i, "")) return true;
    std::this_thread::sleep_for(milliseconds(50));
  } while (Clock::now() < until);
  return false;
}

void Cluster::PrintTails() {
  for (int i = 0; i < size(); ++i) {
    fmt::print(stderr, "---- tail of replica {} ({}) log ----\n{}\n", i, replicas_[i]->address(),
               Tail(replicas_[i]->log(), 40));
  }
}

bool Verify(const std::string& binary, const std::string& conninfo, const std::string& log,
            std::string* why) {
  std::filesystem::remove(log);
  pid_t pid = Spawn({binary, "verify", "--postgres", conninfo}, log);
  if (pid <= 0) {
    *why = "cannot spawn omsd verify";
    return false;
  }
  int rc = WaitExit(pid, seconds(120));
  if (rc < 0) {
    KillAndReap(pid);
    *why = "omsd verify did not finish within 120 s";
    return false;
  }
  if (rc != 0) *why = fmt::format("omsd verify exited {}:\n{}", rc, Tail(log, 30));
  return rc == 0;
}

}  // namespace oms::e2e
