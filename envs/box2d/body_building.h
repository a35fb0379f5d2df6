// What LunarLander and BipedalWalker build their bodies from (private to rein_envs: includes
// Box2D): a dynamic body with one fixture (the lander, the hull, a leg) and a motorised hinge
// between two bodies, each the same pybox2d calls Gymnasium makes, with its float conversions.
#pragma once

#include <box2d/box2d.h>

#include <cstdint>

#include "envs/box2d/contact_detector.h"

namespace rein::envs::internal {

// A fixture's material and collision filter (unset: Box2D's defaults, as pybox2d leaves them).
struct Material {
  float density = 0.0f;
  float friction = 0.2f;  // b2FixtureDef's default
  float restitution = 0.0f;
  std::uint16_t category = 0x0001;
  std::uint16_t mask = 0xFFFF;
};

// A dynamic body at (x, y), turned by `angle` radians, with one fixture of `shape`.
inline b2Body* dynamic_body(b2World& world, double x, double y, double angle, const b2Shape& shape,
                            const Material& m) {
  b2BodyDef def;
  def.type = b2_dynamicBody;
  def.position = vec(x, y);
  def.angle = static_cast<float>(angle);
  b2Body* body = world.CreateBody(&def);
  b2FixtureDef fd;
  fd.shape = &shape;
  fd.density = m.density;
  fd.friction = m.friction;
  fd.restitution = m.restitution;
  fd.filter.categoryBits = m.category;
  fd.filter.maskBits = m.mask;
  body->CreateFixture(&fd);
  return body;
}

// A polygon of `n` points given in pixels, in world units (divided by `scale`).
inline b2PolygonShape scaled_polygon(const double (*points)[2], int n, double scale) {
  b2Vec2 v[b2_maxPolygonVertices];
  for (int i = 0; i < n; ++i) v[i] = vec(points[i][0] / scale, points[i][1] / scale);
  b2PolygonShape shape;
  shape.Set(v, n);
  return shape;
}

inline b2PolygonShape box(double half_width, double half_height) {
  b2PolygonShape shape;
  shape.SetAsBox(static_cast<float>(half_width), static_cast<float>(half_height));
  return shape;
}

// A hinge's motor and its limits (radians, relative to the bodies' angles at creation).
struct Motor {
  double max_torque = 0, speed = 0, lower = 0, upper = 0;
};

// A revolute joint at the local anchors, motor and limits on. Its reference angle comes from the
// bodies' angles now, as pybox2d's joint definition sets it (so a hinge reads 0 at creation).
inline b2RevoluteJoint* motor_joint(b2World& world, b2Body* a, b2Body* b, b2Vec2 anchor_a,
                                    b2Vec2 anchor_b, const Motor& m) {
  b2RevoluteJointDef rjd;
  rjd.bodyA = a;
  rjd.bodyB = b;
  rjd.localAnchorA = anchor_a;
  rjd.localAnchorB = anchor_b;
  rjd.referenceAngle = b->GetAngle() - a->GetAngle();
  rjd.enableMotor = true;
  rjd.enableLimit = true;
  rjd.maxMotorTorque = static_cast<float>(m.max_torque);
  rjd.motorSpeed = static_cast<float>(m.speed);
  rjd.lowerAngle = static_cast<float>(m.lower);
  rjd.upperAngle = static_cast<float>(m.upper);
  return static_cast<b2RevoluteJoint*>(world.CreateJoint(&rjd));
}

}  // namespace rein::envs::internal
