// A second thread for work that splits into two independent halves (the two critics of SAC and
// TD3, the two halves of an optimizer step). Each half runs the same arithmetic on the same
// data whichever thread runs it, so results do not depend on whether a worker is used.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace rein {

// One background thread that runs one task at a time. Not copyable; the destructor joins.
class Worker {
 public:
  Worker();
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs `a` on the worker while `b` runs on the calling thread; returns when both are done.
  // An exception from either is rethrown here (from `b` first), after both have finished.
  void run_pair(const std::function<void()>& a, const std::function<void()>& b);

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable cv_;
  const std::function<void()>* task_ = nullptr;
  bool done_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

// a then b on this thread when `worker` is null, else worker->run_pair(a, b).
void run_pair(Worker* worker, const std::function<void()>& a, const std::function<void()>& b);

}  // namespace rein
