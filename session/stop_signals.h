// Ctrl-C (SIGINT) and SIGTERM (kill, systemd, a batch scheduler) as a request to stop training
// cleanly: while a StopSignals lives, each sets a stop flag that training loops (the request's
// `stop`, session/train.h) and process pools poll. `rein train`, `rein sweep` and the Python
// module all stop this way.
#pragma once

#include <atomic>
#include <csignal>

namespace rein::session {

struct StopSignalOptions {
  bool sigterm = true;       // SIGTERM too, not only SIGINT
  bool second_kills = true;  // a second signal kills at once (its default action comes back)
};

// Installs the handlers for its lifetime and restores the previous ones when it goes (nested
// ones included: the inner one's flag is set until it goes). Construct and destroy it on one
// thread; the handler itself only stores to atomics.
class StopSignals {
 public:
  // The flag is the object's own (flag()).
  explicit StopSignals(StopSignalOptions options = {});
  // Sets `stop`, which must outlive this object, on each signal.
  explicit StopSignals(std::atomic<bool>& stop, StopSignalOptions options = {});
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  const std::atomic<bool>& flag() const { return *stop_; }
  // True once a signal arrived while this object was installed.
  bool received() const { return received_.load(); }

 private:
  friend void on_stop_signal(int signal);
  void install(StopSignalOptions options);

  std::atomic<bool> own_{false};
  std::atomic<bool>* stop_;
  std::atomic<bool> received_{false};
  StopSignals* previous_object_ = nullptr;
  bool term_ = false;
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace rein::session
