// Blackjack-v1 with Gymnasium 1.4's rules (blackjack.py), including the sab and natural options.
#include "envs/toy_text/blackjack.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tensor/error.h"

namespace rein::envs {

bool usable_ace(std::span<const int> hand) {
  return std::find(hand.begin(), hand.end(), 1) != hand.end() &&
         std::accumulate(hand.begin(), hand.end(), 0) + 10 <= 21;
}

int sum_hand(std::span<const int> hand) {
  const int total = std::accumulate(hand.begin(), hand.end(), 0);
  return usable_ace(hand) ? total + 10 : total;
}

bool is_bust(std::span<const int> hand) { return sum_hand(hand) > 21; }

int score(std::span<const int> hand) { return is_bust(hand) ? 0 : sum_hand(hand); }

bool is_natural(std::span<const int> hand) {
  return hand.size() == 2 && std::min(hand[0], hand[1]) == 1 && std::max(hand[0], hand[1]) == 10;
}

namespace {

constexpr int kDeck[13] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10};
constexpr size_t kHandCapacity = 32;  // a live hand holds at most 21 cards (all aces)

void check_card(double card, const char* op) {
  if (!(card >= 1.0 && card <= 10.0) || std::floor(card) != card) {
    throw Error(str("Blackjack.", op, ": a card must be an integer 1 (ace) to 10, got ", card));
  }
}

std::pair<bool, bool> read_blackjack_kwargs(const Kwargs& kwargs) {
  KwargsReader kw("Blackjack", kwargs);
  const bool natural = kw.get_bool("natural", false);
  const bool sab = kw.get_bool("sab", false);
  kw.finish();
  return {natural, sab};
}

}  // namespace

Blackjack::Blackjack(const Kwargs& kwargs) : Blackjack(read_blackjack_kwargs(kwargs)) {}

Blackjack::Blackjack(std::pair<bool, bool> flags) : Blackjack(flags.first, flags.second) {}

Blackjack::Blackjack(bool natural, bool sab) : natural_(natural), sab_(sab) {
  observation_space_ = MultiDiscrete({32, 11, 2});
  action_space_ = Discrete(2);
  player_.reserve(kHandCapacity);
  dealer_.reserve(kHandCapacity);
  obs_ = zeros({3}, Dtype::Int64);
  player_ = {1, 1};  // a valid placeholder state until the first reset
  dealer_ = {1, 1};
  write_obs();
}

void Blackjack::set_next_cards(std::vector<int> cards) {
  for (int c : cards) check_card(c, "set_next_cards");
  next_cards_ = std::move(cards);
  next_card_ = 0;
}

int Blackjack::draw_card() {
  if (next_card_ < next_cards_.size()) return next_cards_[next_card_++];
  return kDeck[rng().integers(0, 13)];  // with replacement: ten-valued cards have p = 4/13
}

void Blackjack::write_obs() {
  int64_t* o = obs_.data<int64_t>();
  o[0] = sum_hand(player_);
  o[1] = dealer_[0];
  o[2] = usable_ace(player_) ? 1 : 0;
}

ResetResult Blackjack::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  if (!options.empty()) KwargsReader("Blackjack.reset options", options).finish();
  seed_rng(seed);
  dealer_.clear();
  player_.clear();
  dealer_.push_back(draw_card());
  dealer_.push_back(draw_card());
  player_.push_back(draw_card());
  player_.push_back(draw_card());
  // Gymnasium then draws the face-up card's suit (choice of 4) and, for a ten-valued card, its
  // letter (choice of J, Q, K) for its pygame rendering. They do not affect the game and rein's
  // rendering shows values only, but the draws are made so that later draws stay Gymnasium's.
  rng().integers(0, 4);
  if (dealer_[0] == 10) rng().integers(0, 3);
  finished_ = false;
  write_obs();
  info_.clear();
  return {obs_, info_};
}

StepResult Blackjack::step(const Action& action) {
  if (!action.is_discrete() || action.index() < 0 || action.index() > 1) {
    check_action(action_space_, action, spec() ? spec()->id + ".step" : "Blackjack.step");
  }
  double reward = 0.0;
  bool terminated = false;
  if (action.index() == 1) {  // hit
    player_.push_back(draw_card());
    terminated = is_bust(player_);
    reward = terminated ? -1.0 : 0.0;
  } else {  // stick: the dealer draws while below 17, so stands on soft 17
    terminated = true;
    while (sum_hand(dealer_) < 17) dealer_.push_back(draw_card());
    const int p = score(player_);
    const int d = score(dealer_);
    reward = static_cast<double>((p > d) - (p < d));
    if (sab_ && is_natural(player_) && !is_natural(dealer_)) {
      reward = 1.0;
    } else if (!sab_ && natural_ && is_natural(player_) && reward == 1.0) {
      reward = 1.5;
    }
  }
  finished_ = terminated;
  write_obs();
  info_.clear();
  return {obs_, reward, terminated, false, info_};
}

void Blackjack::set_state(std::span<const double> state) {
  std::vector<int> player;
  std::vector<int> dealer;
  auto bad = [&](const std::string& why) {
    std::string given;
    for (double v : state) given += (given.empty() ? "" : ", ") + str(v);
    return Error(str("Blackjack.set_state: ", why, "; expected [p1, p2, dealer_up, dealer_hidden] "
                     "or [n, n player cards, m, m dealer cards], got [", given, "]"));
  };
  if (state.size() == 4) {
    for (int i = 0; i < 4; ++i) check_card(state[i], "set_state");
    player = {int(state[0]), int(state[1])};
    dealer = {int(state[2]), int(state[3])};
  } else {
    if (state.empty()) throw bad("empty state");
    const double n = state[0];
    if (!(n >= 1 && n < kHandCapacity) || std::floor(n) != n || state.size() < size_t(n) + 2) {
      throw bad("bad player card count");
    }
    const double m = state[size_t(n) + 1];
    if (!(m >= 1 && m < kHandCapacity) || std::floor(m) != m || state.size() != size_t(n + m) + 2) {
      throw bad("bad dealer card count");
    }
    for (size_t i = 1; i <= size_t(n); ++i) check_card(state[i], "set_state");
    for (size_t i = size_t(n) + 2; i < state.size(); ++i) check_card(state[i], "set_state");
    player.assign(state.begin() + 1, state.begin() + 1 + size_t(n));
    dealer.assign(state.begin() + 2 + size_t(n), state.end());
  }
  player_.assign(player.begin(), player.end());
  dealer_.assign(dealer.begin(), dealer.end());
  finished_ = false;
  write_obs();
}

std::vector<double> Blackjack::state() const {
  std::vector<double> s{static_cast<double>(player_.size())};
  s.insert(s.end(), player_.begin(), player_.end());
  s.push_back(static_cast<double>(dealer_.size()));
  s.insert(s.end(), dealer_.begin(), dealer_.end());
  return s;
}

namespace {

std::string card_name(int c) { return c == 1 ? "A" : std::to_string(c); }

std::string hand_text(const std::vector<int>& hand, bool hide_second) {
  std::string s;
  for (size_t i = 0; i < hand.size(); ++i) {
    if (i > 0) s += ' ';
    if (hide_second && i == 1) {
      s += '?';
    } else {
      s += card_name(hand[i]);
    }
  }
  if (!hide_second) {
    s += str("  (", sum_hand(hand), usable_ace(hand) ? ", usable ace" : "",
             is_bust(hand) ? ", bust" : "", ")");
  }
  return s;
}

}  // namespace

std::string Blackjack::render_text() const {
  return "Dealer: " + hand_text(dealer_, !finished_) + "\nPlayer: " + hand_text(player_, false) +
         "\n";
}

void Blackjack::render(DrawList& out) const {
  out.set_viewport({0.0, 12.0, 0.0, 8.0, 600, 400});
  out.set_background({7, 99, 36, 255});
  auto draw_hand = [&](const std::vector<int>& hand, double y, bool hide_second, const char* who) {
    out.text({0.5, y + 2.6}, str(who, ": ", hide_second ? "" : std::to_string(sum_hand(hand))),
             {255, 255, 255, 255}, 0.6);
    for (size_t i = 0; i < hand.size(); ++i) {
      const double x = 0.5 + 1.6 * static_cast<double>(i);
      const bool hidden = hide_second && i == 1;
      out.rect({x, y}, {x + 1.4, y + 2.0}, hidden ? Color{60, 60, 160, 255} : Color{250, 250, 250, 255});
      if (!hidden) out.text({x + 0.3, y + 1.6}, card_name(hand[i]), {0, 0, 0, 255}, 0.8);
    }
  };
  draw_hand(dealer_, 4.5, !finished_, "Dealer");
  draw_hand(player_, 0.8, false, "Player");
}

}  // namespace rein::envs
