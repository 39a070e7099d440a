/* svg.c: the SVG writer of svg.h. Every element is written as one line
 * with its attributes, so that the output is easy to read, test and diff.
 * An element with a coordinate or size that is not a finite number is not
 * drawn (paths and bands skip such points), so that no figure holds NaN
 * or inf. */
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "svg_cairo.h"

/* Okabe & Ito (2008), "Color Universal Design": distinguishable with the
 * common colour-vision deficiencies. Yellow comes last: it is faint on white. */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000", "#F0E442"};
enum { N_COLOURS = sizeof palette / sizeof palette[0] };
static const char *const dashes[] = {NULL, "9 4", "2 3", "9 3 2 3", "5 5"};
enum { N_DASHES = sizeof dashes / sizeof dashes[0] };
enum { N_SHAPES = 6 };
#define SVG_PI 3.14159265358979323846

const char *svg_colour(int k) { return palette[((k % N_COLOURS) + N_COLOURS) % N_COLOURS]; }
const char *svg_dash(int k) { return dashes[((k % N_DASHES) + N_DASHES) % N_DASHES]; }
int svg_shape(int k) { return ((k % N_SHAPES) + N_SHAPES) % N_SHAPES; }

static void escaped(FILE *out, const char *text) {
  for (const char *c = text; c && *c; c++) {
    switch (*c) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\'': fputs("&apos;", out); break;
    default:
      if ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\n') fputc(' ', out); /* not XML */
      else fputc(*c, out);
    }
  }
}

svg_format svg_format_of(const char *path) {
  const char *base = strrchr(path, '/'), *dot = strrchr(base ? base + 1 : path, '.');
  if (!dot || strcasecmp(dot, ".svg") == 0) return SVG_FORMAT_SVG;
  if (strcasecmp(dot, ".png") == 0) return SVG_FORMAT_PNG;
  if (strcasecmp(dot, ".pdf") == 0) return SVG_FORMAT_PDF;
  return SVG_FORMAT_UNKNOWN;
}

bool svg_begin_as(svg *s, svg_format format, FILE *out, double width, double height, const char *title) {
  if (format == SVG_FORMAT_SVG) {
    svg_begin(s, out, width, height, title);
    return true;
  }
  if (format == SVG_FORMAT_INLINE) {
    svg_begin_inline(s, out, width, height, title);
    return true;
  }
  s->out = out, s->width = width, s->height = height;
  return svg_cairo_begin(s, format, out, width, height);
}

/* The document's start; inline: for an HTML page (no XML declaration, no
 * namespace: HTML puts <svg> in it), width 100% of the page's column. */
static void begin(svg *s, FILE *out, double width, double height, const char *title, bool inline_html) {
  s->out = out;
  s->width = width;
  s->height = height;
  s->format = inline_html ? SVG_FORMAT_INLINE : SVG_FORMAT_SVG;
  s->cr = s->surface = NULL;
  if (inline_html)
    fprintf(out,
            "<svg role=\"img\" width=\"100%%\" viewBox=\"0 0 %.0f %.0f\" "
            "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
            width, height);
  else
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
            width, height, width, height);
  if (title) {
    fputs("<title>", out);
    escaped(out, title);
    fputs("</title>\n", out);
  }
  fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", width,
          height);
}

void svg_begin(svg *s, FILE *out, double width, double height, const char *title) {
  begin(s, out, width, height, title, false);
}

void svg_begin_inline(svg *s, FILE *out, double width, double height, const char *title) {
  begin(s, out, width, height, title, true);
}

bool svg_end(svg *s) {
  if (s->cr) return svg_cairo_end(s);
  fputs("</svg>\n", s->out);
  return true;
}

static bool all_finite(double a, double b, double c, double d) {
  return isfinite(a) && isfinite(b) && isfinite(c) && isfinite(d);
}

void svg_text(svg *s, double x, double y, const char *anchor, double size, bool bold,
              double rotate, const char *cls, const char *text) {
  if (!all_finite(x, y, size, rotate)) return;
  if (s->cr) {
    svg_cairo_text(s, x, y, anchor, size, bold, rotate, text ? text : "");
    return;
  }
  fprintf(s->out, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" font-size=\"%.1f\"", x, y,
          anchor, size);
  if (bold) fputs(" font-weight=\"bold\"", s->out);
  if (rotate != 0.0) fprintf(s->out, " transform=\"rotate(%.1f %.2f %.2f)\"", rotate, x, y);
  if (cls) fprintf(s->out, " class=\"%s\"", cls);
  fputs(" fill=\"#222222\">", s->out);
  escaped(s->out, text);
  fputs("</text>\n", s->out);
}

static void dash_attr(FILE *out, const char *dash) {
  if (dash) fprintf(out, " stroke-dasharray=\"%s\"", dash);
}

void svg_line(svg *s, double x1, double y1, double x2, double y2, const char *stroke,
              double width, const char *dash) {
  if (!all_finite(x1, y1, x2, y2) || !isfinite(width)) return;
  if (s->cr) {
    svg_cairo_line(s, x1, y1, x2, y2, stroke, width, dash);
    return;
  }
  fprintf(s->out,
          "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"%.2f\"",
          x1, y1, x2, y2, stroke, width);
  dash_attr(s->out, dash);
  fputs("/>\n", s->out);
}

void svg_clip_begin(svg *s, const char *id, double x, double y, double w, double h) {
  if (s->cr) {
    svg_cairo_clip_begin(s, x, y, w, h);
    return;
  }
  fprintf(s->out, "<clipPath id=\"%s\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/></clipPath>\n", id,
          x, y, w, h);
  fprintf(s->out, "<g clip-path=\"url(#%s)\">\n", id);
}

void svg_clip_end(svg *s) {
  if (s->cr) svg_cairo_clip_end(s);
  else fputs("</g>\n", s->out);
}

void svg_rect(svg *s, double x, double y, double w, double h, const char *fill,
              const char *stroke) {
  if (!all_finite(x, y, w, h)) return;
  if (s->cr) {
    svg_cairo_rect(s, x, y, w, h, fill, stroke, 1.0);
    return;
  }
  fprintf(s->out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"", x, y,
          w, h, fill ? fill : "none");
  if (stroke) fprintf(s->out, " stroke=\"%s\"", stroke);
  fputs("/>\n", s->out);
}

void svg_path(svg *s, const double *x, const double *y, size_t n, const char *cls,
              const char *id, const char *stroke, double width, const char *dash) {
  size_t finite = 0;
  for (size_t i = 0; i < n; i++) finite += isfinite(x[i]) && isfinite(y[i]);
  if (!finite) return;
  if (s->cr) {
    svg_cairo_polyline(s, x, y, n, false, NULL, 0.0, stroke, width, dash);
    return;
  }
  fputs("<path", s->out);
  if (cls) fprintf(s->out, " class=\"%s\"", cls);
  if (id) fprintf(s->out, " id=\"%s\"", id);
  fputs(" d=\"", s->out);
  bool pen_down = false;
  for (size_t i = 0; i < n; i++) {
    if (!(isfinite(x[i]) && isfinite(y[i]))) {
      pen_down = false;
      continue;
    }
    fprintf(s->out, "%s%.2f %.2f", pen_down ? " L" : (i ? " M" : "M"), x[i], y[i]);
    pen_down = true;
  }
  fprintf(s->out, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\" stroke-linejoin=\"round\"",
          stroke, width);
  dash_attr(s->out, dash);
  fputs("/>\n", s->out);
}

void svg_band(svg *s, const double *x, const double *lower, const double *upper, size_t n,
              const char *cls, const char *fill, double opacity) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) m += isfinite(x[i]) && isfinite(lower[i]) && isfinite(upper[i]);
  if (m < 2) return;
  if (s->cr) { /* upper left to right, lower back */
    double *px = malloc(2 * m * sizeof *px), *py = malloc(2 * m * sizeof *py);
    size_t j = 0;
    for (size_t i = 0; px && py && i < n; i++)
      if (isfinite(x[i]) && isfinite(lower[i]) && isfinite(upper[i])) px[j] = x[i], py[j++] = upper[i];
    for (size_t i = n; px && py && i-- > 0;)
      if (isfinite(x[i]) && isfinite(lower[i]) && isfinite(upper[i])) px[j] = x[i], py[j++] = lower[i];
    if (px && py) svg_cairo_polyline(s, px, py, j, true, fill, opacity, NULL, 0.0, NULL);
    free(px), free(py);
    return;
  }
  fputs("<path", s->out);
  if (cls) fprintf(s->out, " class=\"%s\"", cls);
  fputs(" d=\"", s->out);
  bool first = true;
  for (size_t i = 0; i < n; i++)
    if (isfinite(x[i]) && isfinite(lower[i]) && isfinite(upper[i])) {
      fprintf(s->out, "%s%.2f %.2f", first ? "M" : " L", x[i], upper[i]);
      first = false;
    }
  for (size_t i = n; i-- > 0;)
    if (isfinite(x[i]) && isfinite(lower[i]) && isfinite(upper[i]))
      fprintf(s->out, " L%.2f %.2f", x[i], lower[i]);
  fprintf(s->out, " Z\" fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\"/>\n", fill, opacity);
}

/* The corners of marker shape 2..5 (triangle up, diamond, triangle down,
 * pentagon) of radius r at (x, y) into px, py; returns how many. */
static int marker_corners(int shape, double x, double y, double r, double *px, double *py) {
  static const int corners[] = {3, 4, 3, 5};
  static const double turn[] = {-90.0, -90.0, 90.0, -90.0};
  int kind = svg_shape(shape) - 2;
  double rr = kind == 1 ? 1.15 * r : 1.2 * r;
  for (int c = 0; c < corners[kind]; c++) {
    double a = (turn[kind] + 360.0 * c / corners[kind]) * SVG_PI / 180.0;
    px[c] = x + rr * cos(a), py[c] = y + rr * sin(a);
  }
  return corners[kind];
}

void svg_marker(svg *s, int shape, double x, double y, double r, const char *fill,
                const char *stroke, const char *cls) {
  FILE *o = s->out;
  if (!all_finite(x, y, r, 0.0)) return;
  double px[5], py[5];
  if (s->cr) {
    if (svg_shape(shape) == 0) {
      svg_cairo_circle(s, x, y, r, fill, stroke, 1.2);
    } else if (svg_shape(shape) == 1) {
      double qx[4] = {x - 0.85 * r, x + 0.85 * r, x + 0.85 * r, x - 0.85 * r};
      double qy[4] = {y - 0.85 * r, y - 0.85 * r, y + 0.85 * r, y + 0.85 * r};
      svg_cairo_polyline(s, qx, qy, 4, true, fill, 1.0, stroke, 1.2, NULL);
    } else {
      int n = marker_corners(shape, x, y, r, px, py);
      svg_cairo_polyline(s, px, py, (size_t)n, true, fill, 1.0, stroke, 1.2, NULL);
    }
    return;
  }
  char attrs[160];
  snprintf(attrs, sizeof attrs, " fill=\"%s\" stroke=\"%s\" stroke-width=\"1.2\"%s%s%s", fill,
           stroke, cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
  switch (svg_shape(shape)) {
  case 0: fprintf(o, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"%s/>\n", x, y, r, attrs); return;
  case 1:
    fprintf(o, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"%s/>\n", x - 0.85 * r,
            y - 0.85 * r, 1.7 * r, 1.7 * r, attrs);
    return;
  }
  int n = marker_corners(shape, x, y, r, px, py);
  fputs("<polygon points=\"", o);
  for (int c = 0; c < n; c++) fprintf(o, "%s%.2f,%.2f", c ? " " : "", px[c], py[c]);
  fprintf(o, "\"%s/>\n", attrs);
}

double svg_axis_map(const svg_axis *a, double v) {
  if (a->hi == a->lo) return 0.5 * (a->px_lo + a->px_hi);
  return a->px_lo + (v - a->lo) / (a->hi - a->lo) * (a->px_hi - a->px_lo);
}

/* The "nice" step near range/target: 1, 2 or 5 times a power of ten. */
static double nice_step(double range, int target) {
  double raw = range / (target > 1 ? target : 1);
  double p = pow(10.0, floor(log10(raw))), f = raw / p;
  return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * p;
}

int svg_nice_ticks(double *lo, double *hi, int target, double *ticks, int max) {
  if (!(isfinite(*lo) && isfinite(*hi))) *lo = 0.0, *hi = 1.0;
  if (*hi < *lo) {
    double t = *lo;
    *lo = *hi;
    *hi = t;
  }
  if (*hi == *lo) {
    double pad = *lo != 0.0 ? 0.1 * fabs(*lo) : 1.0;
    *lo -= pad;
    *hi += pad;
  }
  double step = nice_step(*hi - *lo, target);
  *lo = floor(*lo / step + 1e-9) * step;
  *hi = ceil(*hi / step - 1e-9) * step;
  int n = 0;
  for (double v = *lo; v <= *hi + 0.5 * step && n < max; v += step) {
    double r = round(v / step) * step; /* no drift */
    ticks[n++] = fabs(r) < 1e-12 * step ? 0.0 : r;
  }
  return n;
}

void svg_tick_label(double v, double step, char *buf, size_t size) {
  int decimals = 0;
  if (step > 0 && step < 1) decimals = (int)ceil(-log10(step) - 1e-9);
  if (decimals > 10) decimals = 10;
  if (!isfinite(v)) snprintf(buf, size, "-");
  else if (fabs(v) >= 1e6 && step >= 1) snprintf(buf, size, "%.6g", v);
  else snprintf(buf, size, "%.*f", decimals, v);
}

void svg_circle(svg *s, double x, double y, double r, const char *fill, const char *stroke, double width,
                const char *cls) {
  if (!all_finite(x, y, r, width)) return;
  if (s->cr) {
    svg_cairo_circle(s, x, y, r, fill, stroke, width);
    return;
  }
  fprintf(s->out, "<circle");
  if (cls) fprintf(s->out, " class=\"%s\"", cls);
  fprintf(s->out, " cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%.2f\"/>\n", x, y, r,
          fill ? fill : "none", stroke, width);
}

void svg_rect_translucent(svg *s, double x, double y, double w, double h, const char *fill, double opacity) {
  if (!all_finite(x, y, w, h)) return;
  if (s->cr) {
    svg_cairo_rect(s, x, y, w, h, fill, NULL, opacity);
    return;
  }
  fprintf(s->out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" fill-opacity=\"%.2f\"/>\n", x, y, w,
          h, fill, opacity);
}
