/* svg_cairo.c: the figure writer's second backend (svg.h): the elements of
 * an SVG figure drawn with cairo onto a PNG image (twice the figure's size
 * in pixels, for print) or a PDF page (the figure's size in points), which
 * svg_end writes to the output stream. Colours are the SVG writer's
 * "#RRGGBB" strings, dashes its "on off ..." lists, text the "DejaVu Sans"
 * face of cairo's toy API. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"
#include "svg_cairo.h"

#define PNG_ZOOM 2.0
#define CAIRO_FIGURE_PI 3.14159265358979323846

static cairo_status_t to_stream(void *closure, const unsigned char *data, unsigned int length) {
  return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

bool svg_cairo_begin(svg *s, svg_format format, FILE *out, double width, double height) {
  cairo_surface_t *surface =
      format == SVG_FORMAT_PDF
          ? cairo_pdf_surface_create_for_stream(to_stream, out, width, height)
          : cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(width * PNG_ZOOM), (int)ceil(height * PNG_ZOOM));
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    return false;
  }
  cairo_t *cr = cairo_create(surface);
  if (format == SVG_FORMAT_PNG) cairo_scale(cr, PNG_ZOOM, PNG_ZOOM);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  s->surface = surface;
  s->cr = cr;
  s->format = format;
  return true;
}

bool svg_cairo_end(svg *s) {
  cairo_t *cr = s->cr;
  cairo_surface_t *surface = s->surface;
  bool ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
  cairo_destroy(cr);
  if (ok && s->format == SVG_FORMAT_PNG) ok = cairo_surface_write_to_png_stream(surface, to_stream, s->out) == CAIRO_STATUS_SUCCESS;
  cairo_surface_finish(surface); /* the PDF's last bytes */
  ok = ok && cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS;
  cairo_surface_destroy(surface);
  s->cr = s->surface = NULL;
  /* a command draws one figure: cairo's font caches, then fontconfig's
   * configuration, are let go, so that the process ends with nothing
   * allocated (the leak checks of the sanitized build) */
  cairo_debug_reset_static_data();
  FcFini();
  return ok;
}

/* "#RRGGBB" (or "none": false) into the source, with alpha. */
static bool colour(cairo_t *cr, const char *hex, double alpha) {
  unsigned r = 0, g = 0, b = 0;
  if (!hex || strcmp(hex, "none") == 0 || sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3) return false;
  cairo_set_source_rgba(cr, r / 255.0, g / 255.0, b / 255.0, alpha);
  return true;
}

static void dashes(cairo_t *cr, const char *dash) {
  double d[8];
  int n = 0;
  for (const char *at = dash; at && *at && n < 8;) {
    char *end;
    double v = strtod(at, &end);
    if (end == at) break;
    d[n++] = v;
    at = end;
  }
  cairo_set_dash(cr, d, n, 0.0);
}

void svg_cairo_text(svg *s, double x, double y, const char *anchor, double size, bool bold, double rotate,
                    const char *text) {
  cairo_t *cr = s->cr;
  cairo_save(cr);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, rotate * CAIRO_FIGURE_PI / 180.0);
  cairo_text_extents_t e;
  cairo_text_extents(cr, text, &e);
  double dx = strcmp(anchor, "middle") == 0 ? -e.x_advance / 2 : strcmp(anchor, "end") == 0 ? -e.x_advance : 0.0;
  colour(cr, "#222222", 1.0);
  cairo_move_to(cr, dx, 0.0);
  cairo_show_text(cr, text);
  cairo_restore(cr);
}

void svg_cairo_line(svg *s, double x1, double y1, double x2, double y2, const char *stroke, double width,
                    const char *dash) {
  cairo_t *cr = s->cr;
  cairo_save(cr);
  dashes(cr, dash);
  cairo_set_line_width(cr, width);
  cairo_move_to(cr, x1, y1);
  cairo_line_to(cr, x2, y2);
  if (colour(cr, stroke, 1.0)) cairo_stroke(cr);
  cairo_new_path(cr);
  cairo_restore(cr);
}

void svg_cairo_rect(svg *s, double x, double y, double w, double h, const char *fill, const char *stroke,
                    double opacity) {
  cairo_t *cr = s->cr;
  cairo_save(cr);
  cairo_rectangle(cr, x, y, w, h);
  if (colour(cr, fill, opacity)) cairo_fill_preserve(cr);
  cairo_set_line_width(cr, 1.0);
  if (colour(cr, stroke, 1.0)) cairo_stroke_preserve(cr);
  cairo_new_path(cr);
  cairo_restore(cr);
}

void svg_cairo_polyline(svg *s, const double *x, const double *y, size_t n, bool closed, const char *fill,
                        double fill_opacity, const char *stroke, double width, const char *dash) {
  cairo_t *cr = s->cr;
  cairo_save(cr);
  bool pen_down = false;
  for (size_t i = 0; i < n; i++) {
    if (!(isfinite(x[i]) && isfinite(y[i]))) {
      pen_down = false;
      continue;
    }
    if (pen_down) cairo_line_to(cr, x[i], y[i]);
    else cairo_move_to(cr, x[i], y[i]);
    pen_down = true;
  }
  if (closed) cairo_close_path(cr);
  if (colour(cr, fill, fill_opacity)) cairo_fill_preserve(cr);
  dashes(cr, dash);
  cairo_set_line_width(cr, width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  if (colour(cr, stroke, 1.0)) cairo_stroke_preserve(cr);
  cairo_new_path(cr);
  cairo_restore(cr);
}

void svg_cairo_circle(svg *s, double x, double y, double r, const char *fill, const char *stroke, double width) {
  cairo_t *cr = s->cr;
  cairo_save(cr);
  cairo_new_sub_path(cr);
  cairo_arc(cr, x, y, r, 0.0, 2.0 * CAIRO_FIGURE_PI);
  if (colour(cr, fill, 1.0)) cairo_fill_preserve(cr);
  cairo_set_line_width(cr, width);
  if (colour(cr, stroke, 1.0)) cairo_stroke_preserve(cr);
  cairo_new_path(cr);
  cairo_restore(cr);
}

void svg_cairo_clip_begin(svg *s, double x, double y, double w, double h) {
  cairo_save(s->cr);
  cairo_rectangle(s->cr, x, y, w, h);
  cairo_clip(s->cr);
}

void svg_cairo_clip_end(svg *s) { cairo_restore(s->cr); }
