// Gymnasium's ContactDetector, shared by the Box2D envs (private to rein_envs: includes Box2D):
// a contact with the body whose touch ends the game sets the game-over flag; two watched bodies
// (legs) keep a ground-contact flag from begin to end of contact. Also the float conversion
// every Box2D call makes of Gymnasium's double arithmetic.
#pragma once

#include <box2d/box2d.h>

namespace rein::envs::internal {

inline b2Vec2 vec(double x, double y) {
  return b2Vec2(static_cast<float>(x), static_cast<float>(y));
}

class ContactDetector final : public b2ContactListener {
 public:
  // The flags are the env's members; they must outlive the world this listens to.
  ContactDetector(const b2Body* fatal, bool* game_over, const b2Body* watched0, bool* contact0,
                  const b2Body* watched1, bool* contact1)
      : fatal_(fatal),
        game_over_(game_over),
        watched_{watched0, watched1},
        contact_{contact0, contact1} {}
  void BeginContact(b2Contact* c) override { update(c, true); }
  void EndContact(b2Contact* c) override { update(c, false); }

 private:
  void update(b2Contact* c, bool begin) {
    const b2Body* a = c->GetFixtureA()->GetBody();
    const b2Body* b = c->GetFixtureB()->GetBody();
    if (begin && (a == fatal_ || b == fatal_)) *game_over_ = true;
    for (int i = 0; i < 2; ++i) {
      if (a == watched_[i] || b == watched_[i]) *contact_[i] = begin;
    }
  }
  const b2Body* fatal_;
  bool* game_over_;
  const b2Body* watched_[2];
  bool* contact_[2];
};

}  // namespace rein::envs::internal
