// Blackjack-v1 (Gymnasium 1.4; Sutton & Barto, Example 5.1): beat the dealer with an infinite
// deck, hitting or sticking.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "envs/env.h"

namespace rein::envs {

// Cards are 1 (ace) to 10 (ten and face cards), drawn with replacement from
// {1, ..., 9, 10, 10, 10, 10}. Reset deals the dealer two cards (the first is face up), then the
// player two. Observation MultiDiscrete([32, 11, 2]) = (player sum, dealer's face-up card, usable
// ace), int64 (3,). Actions Discrete(2): 0 stick, 1 hit. A hit that busts gives -1 and
// terminates; sticking lets the dealer draw to 17 or more (standing on soft 17) and gives +1 / 0 /
// -1 by score, a bust scoring 0. info is empty. No truncation (no time limit is registered).
// Kwargs: natural (default false): a winning natural pays +1.5 (only when sab is false);
// sab (default false; Blackjack-v1 registers true): Sutton & Barto's rule that a natural beats
// any non-natural dealer hand (+1) and two naturals push.
class Blackjack : public Env {
 public:
  explicit Blackjack(const Kwargs& kwargs = {});
  Blackjack(bool natural, bool sab);

  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;

  // The state is both hands: [n, player cards..., m, dealer cards...]. set_state() also takes
  // the four-value short form [player1, player2, dealer_up, dealer_hidden]. Cards must be 1-10.
  void set_state(std::span<const double> state) override;
  std::vector<double> state() const override;

  // Cards to deal, in order, before any random ones: the reset deal takes the first four
  // (dealer, dealer, player, player), hits and the dealer's draws take the rest. This is how the
  // reference episodes are replayed exactly. Throws rein::Error unless every card is in 1..10.
  void set_next_cards(std::vector<int> cards);

  const std::vector<int>& player() const { return player_; }
  const std::vector<int>& dealer() const { return dealer_; }

  // Gymnasium's table: the dealer's face-up card and a hidden card, the player's sum, and
  // "usable ace" when there is one (the observation, not the hands).
  void render(DrawList& out) const override;
  std::string render_text() const override;
  RenderInfo render_info() const override { return {.draws = true, .text = true, .fps = 4}; }

 private:
  explicit Blackjack(std::pair<bool, bool> flags);  // from the kwargs, parsed once

  int draw_card();
  void write_obs();

  bool natural_;
  bool sab_;
  std::vector<int> player_;
  std::vector<int> dealer_;
  std::vector<int> next_cards_;
  size_t next_card_ = 0;
  bool finished_ = false;  // the last step terminated: the dealer's hand is shown
  int top_suit_ = 0;       // the face-up card's suit (0-3: clubs, diamonds, hearts, spades)
  int top_letter_ = 0;     // and, for a ten-valued card, its letter (0-2: J, Q, K)
  Tensor obs_;             // int64 (3,), reused
};

// Hand arithmetic of Gymnasium's blackjack.py, exposed for tests and strategies.
bool usable_ace(std::span<const int> hand);  // an ace that can count 11 without busting
int sum_hand(std::span<const int> hand);     // best total (an ace as 11 when usable)
bool is_bust(std::span<const int> hand);
int score(std::span<const int> hand);        // 0 when bust, else sum_hand
bool is_natural(std::span<const int> hand);  // exactly an ace and a ten-valued card

}  // namespace rein::envs
