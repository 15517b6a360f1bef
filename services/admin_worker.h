// AdminWorker: the one thread that does the admin service's slow work (backup, verify, their
// file I/O), so none of it runs on a gRPC thread, and the one slot that bounds that work to a
// single operation at a time.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace oms::services {

class AdminWorker {
 public:
  AdminWorker();
  ~AdminWorker();
  AdminWorker(const AdminWorker&) = delete;
  AdminWorker& operator=(const AdminWorker&) = delete;

  // Claims the slot for one operation (a whole backup stream, or one verify); false while
  // another operation holds it or after Stop. The holder calls Release when it is done.
  bool TryAcquire();
  void Release();

  // Runs `task` on the worker thread, in order. After Stop, runs it on the caller's thread.
  void Post(std::function<void()> task);

  // Refuses new operations, waits until the one in progress has released the slot, runs
  // what is queued, and joins the thread. Call after the gRPC server has shut down (that
  // ends every call, so the holder releases). Safe to call more than once.
  void Stop();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool busy_ = false;
  bool stopping_ = false;
  bool exited_ = false;  // the thread has left Run: Post runs tasks inline
  std::thread thread_;
};

}  // namespace oms::services
