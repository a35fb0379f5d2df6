// ThreadedVectorEnv: env i is stepped by thread i % T (the caller's thread is thread 0), so each
// env stays on one thread and results equal SyncVectorEnv's. Workers wait for a new generation
// number: they spin briefly (an env step is often shorter than a futex wake-up) and then sleep on
// a condition variable.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "envs/vector_env.h"

namespace rein::envs {

struct ThreadedVectorEnv::Pool {
  enum class Task : uint8_t { Reset, Step, Stop };

  std::vector<std::thread> threads;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<uint64_t> generation{0};
  std::atomic<int> remaining{0};
  // The current task, written by the caller before it bumps `generation`.
  Task task = Task::Step;
  const void* actions = nullptr;
  std::optional<uint64_t> seed;
  const Kwargs* options = nullptr;
  std::vector<std::exception_ptr> errors;  // one slot per thread
  int num_threads = 1;
};

namespace {
constexpr int kSpinIterations = 4000;
}  // namespace

ThreadedVectorEnv::ThreadedVectorEnv(std::vector<std::unique_ptr<Env>> envs, int num_threads)
    : VectorEnv(std::move(envs)), pool_(std::make_unique<Pool>()) {
  if (num_threads < 0)
    throw Error(str("ThreadedVectorEnv: num_threads must be >= 0, got ", num_threads));
  int t = num_threads == 0 ? static_cast<int>(std::thread::hardware_concurrency()) : num_threads;
  t = std::clamp(t, 1, static_cast<int>(num_envs()));
  pool_->num_threads = t;
  pool_->errors.resize(static_cast<size_t>(t));
  for (int w = 1; w < t; ++w) {
    pool_->threads.emplace_back([this, w] {
      Pool& p = *pool_;
      uint64_t seen = 0;
      for (;;) {
        int spins = 0;
        while (p.generation.load(std::memory_order_acquire) == seen && spins < kSpinIterations) {
          ++spins;
          std::this_thread::yield();
        }
        if (p.generation.load(std::memory_order_acquire) == seen) {
          std::unique_lock lock(p.mutex);
          p.wake.wait(lock, [&] { return p.generation.load(std::memory_order_acquire) != seen; });
        }
        seen = p.generation.load(std::memory_order_acquire);
        if (p.task == Pool::Task::Stop) return;
        run_share(w);
        p.remaining.fetch_sub(1, std::memory_order_acq_rel);
      }
    });
  }
}

ThreadedVectorEnv::~ThreadedVectorEnv() {
  {
    std::lock_guard lock(pool_->mutex);
    pool_->task = Pool::Task::Stop;
    pool_->generation.fetch_add(1, std::memory_order_acq_rel);
  }
  pool_->wake.notify_all();
  for (auto& t : pool_->threads) t.join();
}

int ThreadedVectorEnv::num_threads() const { return pool_->num_threads; }

void ThreadedVectorEnv::run_share(int w) {
  Pool& p = *pool_;
  try {
    for (int64_t i = w; i < num_envs(); i += p.num_threads) {
      if (p.task == Pool::Task::Reset) {
        reset_one(
            i, p.seed ? std::optional<uint64_t>(*p.seed + static_cast<uint64_t>(i)) : std::nullopt,
            *p.options);
      } else {
        step_one(i, p.actions);
      }
    }
  } catch (...) {
    p.errors[static_cast<size_t>(w)] = std::current_exception();
  }
}

void ThreadedVectorEnv::run_all() {
  Pool& p = *pool_;
  p.remaining.store(p.num_threads - 1, std::memory_order_release);
  {
    std::lock_guard lock(p.mutex);
    p.generation.fetch_add(1, std::memory_order_acq_rel);
  }
  p.wake.notify_all();
  run_share(0);
  while (p.remaining.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  for (auto& e : p.errors) {
    if (e) {
      std::exception_ptr first = e;
      for (auto& x : p.errors) x = nullptr;
      std::rethrow_exception(first);
    }
  }
}

const VectorStep& ThreadedVectorEnv::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  pool_->task = Pool::Task::Reset;
  pool_->seed = seed;
  pool_->options = &options;
  run_all();
  needs_reset_ = false;
  return buf_;
}

const VectorStep& ThreadedVectorEnv::step(const Tensor& actions) {
  check_actions(actions);
  pool_->task = Pool::Task::Step;
  pool_->actions = action_data(actions);
  try {
    run_all();
  } catch (...) {
    needs_reset_ = true;  // some envs stepped, others did not
    throw;
  }
  return buf_;
}

}  // namespace rein::envs
