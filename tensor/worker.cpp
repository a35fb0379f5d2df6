// Worker: a thread that waits for one task at a time (see worker.h).
#include "tensor/worker.h"

namespace rein {

Worker::Worker() : thread_([this] { loop(); }) {}

Worker::~Worker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Worker::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || task_ != nullptr; });
    if (task_ == nullptr) return;  // stopping
    const std::function<void()>* task = task_;
    lock.unlock();
    std::exception_ptr error;
    try {
      (*task)();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    task_ = nullptr;
    error_ = error;
    done_ = true;
    cv_.notify_all();
  }
}

void Worker::run_pair(const std::function<void()>& a, const std::function<void()>& b) {
  {
    std::lock_guard lock(mutex_);
    task_ = &a;
    done_ = false;
    error_ = nullptr;
  }
  cv_.notify_all();
  std::exception_ptr mine;
  try {
    b();
  } catch (...) {
    mine = std::current_exception();
  }
  std::exception_ptr theirs;
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return done_; });
    theirs = error_;
  }
  if (mine) std::rethrow_exception(mine);
  if (theirs) std::rethrow_exception(theirs);
}

void run_pair(Worker* worker, const std::function<void()>& a, const std::function<void()>& b) {
  if (worker == nullptr) {
    a();
    b();
  } else {
    worker->run_pair(a, b);
  }
}

}  // namespace rein
