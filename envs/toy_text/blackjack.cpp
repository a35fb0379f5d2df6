// Blackjack-v1 with Gymnasium 1.4's rules (blackjack.py), including the sab and natural options.
#include "envs/toy_text/blackjack.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/error.h"
#include "envs/toy_text/internal/grid_render.h"

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
  // letter (choice of J, Q, K) for its pygame rendering. They do not affect the game; render()
  // shows them, and later draws stay Gymnasium's.
  top_suit_ = static_cast<int>(rng().integers(0, 4));
  top_letter_ = dealer_[0] == 10 ? static_cast<int>(rng().integers(0, 3)) : 0;
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
    return Error(str("Blackjack.set_state: ", why,
                     "; expected [p1, p2, dealer_up, dealer_hidden] "
                     "or [n, n player cards, m, m dealer cards], got [",
                     given, "]"));
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
  // Gymnasium's 600 x 500 table (7, 99, 36): "Dealer: <card>" at the top left in a font of
  // 500 // 15 px, the face-up card (500 // 3 px high, 142:197) left of the centre and the
  // hidden card right of it, "Player", then the player's sum in a font of 500 // 6 px, centred.
  const double width = 600, spacing = 500 / 20;
  const double card_h = 500 / 3, card_w = std::floor(card_h * 142 / 197);
  const double small = 500 / 15, large = 500 / 6;
  const Color white{255, 255, 255, 255};
  internal::ScreenCanvas c(out, 600, 500, {7, 99, 36, 255});
  // The bitmap font's glyphs take 7 of its 8 rows a line; Gymnasium's text rectangles are a
  // line high, so each block below is `size` px tall.
  auto text_width = [](const std::string& s, double size) {
    return std::max(1.0, std::round(size / 8)) * 6 * static_cast<double>(s.size());
  };
  const int up = dealer_[0];
  c.text(spacing, spacing, "Dealer: " + std::to_string(up), white, small);
  const double card_y = spacing + small + spacing;
  const double up_x = width / 2 - card_w - std::floor(spacing / 2);
  c.rect(up_x, card_y, card_w, card_h, white);
  c.rect(up_x, card_y, card_w, card_h, {0, 0, 0, 255}, false, 2.0);
  static constexpr const char* kSuits[4] = {"C", "D", "H", "S"};
  static constexpr const char* kLetters[3] = {"J", "Q", "K"};
  const std::string value = up == 1 ? "A" : up == 10 ? kLetters[top_letter_] : std::to_string(up);
  const Color ink =
      top_suit_ == 1 || top_suit_ == 2 ? Color{200, 30, 30, 255} : Color{0, 0, 0, 255};
  c.text(up_x + 8, card_y + 8, value + kSuits[top_suit_], ink, 24);
  c.text(up_x + card_w / 2 - text_width(value, 64) / 2, card_y + card_h / 2 - 28, value, ink, 64);
  const double back_x = width / 2 + std::floor(spacing / 2);
  c.rect(back_x, card_y, card_w, card_h, {180, 30, 40, 255});
  c.rect(back_x + 8, card_y + 8, card_w - 16, card_h - 16, {255, 255, 255, 255}, false, 3.0);
  const double player_y = card_y + card_h + 1.5 * spacing;
  c.text(spacing, player_y, "Player", white, small);
  const std::string sum = std::to_string(sum_hand(player_));
  const double sum_y = player_y + small + spacing;
  c.text(width / 2 - text_width(sum, large) / 2, sum_y, sum, white, large);
  if (usable_ace(player_)) {
    const std::string ace = "usable ace";
    c.text(width / 2 - text_width(ace, small) / 2, sum_y + large + spacing / 2, ace, white, small);
  }
}

}  // namespace rein::envs
