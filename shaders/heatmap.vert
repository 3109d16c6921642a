// A screen-space quad from gl_VertexID (no vertex buffer): u_rect = (x0, y0, x1, y1) in NDC,
// v_uv = (0,0) at the top-left corner.
uniform vec4 u_rect;
out vec2 v_uv;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));  // triangle strip
    v_uv = corner;
    vec2 p = vec2(mix(u_rect.x, u_rect.z, corner.x), mix(u_rect.y, u_rect.w, corner.y));
    gl_Position = vec4(p, 0.0, 1.0);
}
