// Child processes for the end-to-end drivers: spawning omsd with its output in a log, waiting
// for it to serve or to exit, reading the log, and (on PostgreSQL) a set of replicas sharing
// one database, one of them the writer.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <ios>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "grpc/health/v1/health.grpc.pb.h"

namespace oms::e2e {

using Clock = std::chrono::steady_clock;

// The health service a replica reports SERVING while it holds the writer lease.
constexpr char kWriterService[] = "oms.v1.Writer";

// A loopback port nothing listens on right now (bound to port 0, read back, closed); 0 if
// none could be had.
int FreePort();

// Spawns argv with stdout and stderr appended to `log`; -1 on failure.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log);

// Waits up to `bound` for `pid` to exit; its exit status (128 + signal if killed), or -1 if
// it has not exited.
int WaitExit(pid_t pid, Clock::duration bound);

// SIGKILL, then reaps the child.
void KillAndReap(pid_t pid);

// The contents of `path` from byte `offset` on ("" if it cannot be read).
std::string ReadFrom(const std::string& path, std::streamoff offset);

// The last `lines` lines of a file.
std::string Tail(const std::string& path, int lines);

// Waits up to `bound` for omsd's serving line ("... (port N) ...") in `log` after byte
// `offset`. Returns N; 0 if the line did not come in time, or if `pid` (when > 0) exited
// first: the child is then reaped and its status stored in *exit_status (if given).
int WaitServingPort(const std::string& log, std::streamoff offset, Clock::duration bound,
                    pid_t pid = -1, int* exit_status = nullptr);

// An insecure channel with a short reconnect backoff (a restarted replica is reachable again
// at once) and a subchannel pool of its own, so each client really has its own connection.
std::shared_ptr<grpc::Channel> Connect(const std::string& address);

// One omsd replica on PostgreSQL: always on the same port, its log appended across restarts.
class Replica {
 public:
  Replica(std::string binary, std::string conninfo, std::string log, int port,
          std::string lease_ttl);
  ~Replica();

  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Starts omsd and waits (up to 20 s) for its serving line; false with `why` if not.
  bool Start(std::string* why);
  // SIGKILL: no drain, no lease release, no goodbye.
  void Kill();
  // SIGTERM (and SIGCONT, in case it is stopped), then SIGKILL after 10 s.
  void Stop();
  // SIGSTOP, returning once the process is really stopped (bounded: 5 s).
  void Freeze();
  // SIGCONT.
  void Thaw();
  // False once the process has exited (and is then reaped).
  bool Alive();

  pid_t pid() const { return pid_; }
  bool frozen() const { return frozen_; }
  const std::string& log() const { return log_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::string binary_, conninfo_, log_, lease_ttl_;
  int port_;
  pid_t pid_ = -1;
  bool frozen_ = false;
  int starts_ = 0;
};

// `replicas` replicas on free loopback ports, logs in `dir`/replicaI.log, and what their
// health says.
class Cluster {
 public:
  Cluster(const std::string& binary, const std::string& conninfo, const std::string& dir,
          int replicas, const std::string& lease_ttl);

  int size() const { return static_cast<int>(replicas_.size()); }
  Replica& at(int i) { return *replicas_[i]; }
  std::vector<std::string> addresses() const;

  // Starts every replica; false with `why` at the first that does not serve.
  bool StartAll(std::string* why);
  void StopAll();

  // Whether replica `i` reports `service` SERVING (asked within 500 ms; a frozen one is not).
  bool Serving(int i, const std::string& service);
  // The one replica reporting kWriterService SERVING; -1 if none or several do.
  int Leader();
  // Waits up to `bound` for a single leader other than `not_this`; its index, or -1.
  int WaitLeader(int not_this, Clock::duration bound);
  // Waits up to `bound` for replica `i` to report "" SERVING.
  bool WaitServing(int i, Clock::duration bound);

  // The last 40 lines of every replica's log, on stderr.
  void PrintTails();

 private:
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health_;
};

// `omsd verify --postgres CONNINFO`, output in `log` (bounded: 120 s); true when it exits 0,
// else false with `why` (the log's tail if it failed).
bool Verify(const std::string& binary, const std::string& conninfo, const std::string& log,
            std::string* why);

}  // namespace oms::e2e
