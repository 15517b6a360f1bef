// Checkpointer: copies the WAL back into the database file from a thread of its own (PASSIVE
// checkpoints: never blocking the writer or readers), so the writer's commits stay short and
// the WAL stays small.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace oms::storage {

class Checkpointer {
 public:
  explicit Checkpointer(std::string path, std::string vfs = "",
                        std::chrono::milliseconds interval = std::chrono::milliseconds(100));
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  int64_t checkpoints() const { return checkpoints_.load(); }

 private:
  void Run();

  std::string path_;
  std::string vfs_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<int64_t> checkpoints_{0};
  std::thread thread_;
};

}  // namespace oms::storage
