// AdminWorker: a mutex-guarded task queue drained by one thread; the slot is a flag under the
// same mutex, and Stop waits on it before the thread runs out of work.
#include "services/admin_worker.h"

#include <pthread.h>

namespace oms::services {

AdminWorker::AdminWorker() : thread_([this] { Run(); }) {}

AdminWorker::~AdminWorker() { Stop(); }

bool AdminWorker::TryAcquire() {
  std::lock_guard lock(mu_);
  if (busy_ || stopping_) return false;
  busy_ = true;
  return true;
}

void AdminWorker::Release() {
  std::lock_guard lock(mu_);
  busy_ = false;
  wake_.notify_all();
}

void AdminWorker::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (!exited_) {
      tasks_.push_back(std::move(task));
      wake_.notify_all();
      return;
    }
  }
  task();
}

void AdminWorker::Run() {
  pthread_setname_np(pthread_self(), "oms-admin");
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return !tasks_.empty() || (stopping_ && !busy_); });
    if (tasks_.empty()) break;  // stopping, nothing in progress, nothing queued
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
  exited_ = true;
}

void AdminWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace oms::services
