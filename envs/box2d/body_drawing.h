// How Gymnasium's Box2D envs draw a body (private to rein_envs: includes Box2D): every fixture
// in world coordinates, polygons filled with the body's first colour and outlined with its
// second, circles in the second colour (drawn over the first), edges as lines of the first.
#pragma once

#include <box2d/box2d.h>

#include <vector>

#include "envs/render.h"

namespace rein::envs::internal {

inline void draw_body(DrawList& out, const b2Body& body, Color fill, Color outline) {
  const b2Transform& t = body.GetTransform();
  for (const b2Fixture* f = body.GetFixtureList(); f != nullptr; f = f->GetNext()) {
    const b2Shape* shape = f->GetShape();
    if (shape->GetType() == b2Shape::e_circle) {
      const auto* circle = static_cast<const b2CircleShape*>(shape);
      const b2Vec2 c = b2Mul(t, circle->m_p);
      out.circle({c.x, c.y}, circle->m_radius, outline);
    } else if (shape->GetType() == b2Shape::e_polygon) {
      const auto* poly = static_cast<const b2PolygonShape*>(shape);
      std::vector<Point> pts;
      for (int i = 0; i < poly->m_count; ++i) {
        const b2Vec2 p = b2Mul(t, poly->m_vertices[i]);
        pts.push_back({p.x, p.y});
      }
      out.polygon(pts, fill);
      out.polygon(std::move(pts), outline, false);
    } else if (shape->GetType() == b2Shape::e_edge) {
      const auto* edge = static_cast<const b2EdgeShape*>(shape);
      const b2Vec2 a = b2Mul(t, edge->m_vertex1), b = b2Mul(t, edge->m_vertex2);
      out.line({a.x, a.y}, {b.x, b.y}, fill);
    }
  }
}

}  // namespace rein::envs::internal
