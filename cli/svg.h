/* svg.h: a small writer of self-contained SVG figures for `gbtm plot`:
 * the document, text, lines, paths through data points, filled bands,
 * marker shapes, and the pieces of a chart (a linear axis with "nice"
 * ticks, a colour-blind-safe palette with dash patterns and marker shapes
 * that still tell groups apart in grey). Coordinates are in pixels of the
 * figure, y downwards; text is escaped for XML; numbers are written in the
 * "C" locale with a fixed number of decimals. */
#ifndef GBTM_CLI_SVG_H
#define GBTM_CLI_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The figure's format: SVG text, or drawn by cairo (svg_cairo.c) as a PNG
 * image or a PDF page; SVG_FORMAT_UNKNOWN for a name whose extension is
 * none of .svg, .png, .pdf. SVG_FORMAT_INLINE: SVG text to put inside an
 * HTML page (svg_begin_inline), never a file's format. */
typedef enum svg_format {
  SVG_FORMAT_SVG,
  SVG_FORMAT_PNG,
  SVG_FORMAT_PDF,
  SVG_FORMAT_UNKNOWN,
  SVG_FORMAT_INLINE
} svg_format;

typedef struct svg {
  FILE *out; /* borrowed */
  double width, height;
  svg_format format;
  void *cr, *surface; /* cairo's context and surface, for PNG and PDF; else NULL */
} svg;

/* The format a figure's file name asks for, by its extension (any case);
 * a name without one (a pipe, /dev/stdout) is SVG. */
svg_format svg_format_of(const char *path);
/* Opens the document: the XML declaration, <svg> with its size and
 * viewBox, a <title> (title may be NULL), a white background. */
void svg_begin(svg *s, FILE *out, double width, double height, const char *title);
/* The same as an <svg> element inside an HTML page: no XML declaration and
 * no namespace attribute (HTML gives it), as wide as the page's column. */
void svg_begin_inline(svg *s, FILE *out, double width, double height, const char *title);
/* The same in format; false when cairo cannot make the surface. */
bool svg_begin_as(svg *s, svg_format format, FILE *out, double width, double height, const char *title);
/* Closes the document (writes the PNG, finishes the PDF); false on an error. */
bool svg_end(svg *s);

/* Text at (x, y): anchor "start", "middle" or "end"; size in pixels; bold;
 * rotated by rotate degrees about (x, y); cls may be NULL. */
void svg_text(svg *s, double x, double y, const char *anchor, double size, bool bold,
              double rotate, const char *cls, const char *text);
void svg_line(svg *s, double x1, double y1, double x2, double y2, const char *stroke,
              double width, const char *dash);
void svg_rect(svg *s, double x, double y, double w, double h, const char *fill,
              const char *stroke);
/* A rectangle filled at opacity (a legend's band swatch). */
void svg_rect_translucent(svg *s, double x, double y, double w, double h, const char *fill, double opacity);
/* What is drawn between the two is clipped to the rectangle (a plot area
 * narrower than the data: --ymin, --ymax); id names the clip path (an
 * XML name, unique in the document). */
void svg_clip_begin(svg *s, const char *id, double x, double y, double w, double h);
void svg_clip_end(svg *s);
/* A path through the n points (x[i], y[i]); a non-finite point breaks the
 * line. id and dash may be NULL. Writes nothing when no point is finite. */
void svg_path(svg *s, const double *x, const double *y, size_t n, const char *cls,
              const char *id, const char *stroke, double width, const char *dash);
/* A filled area between lower and upper over x (a 95% band). */
void svg_band(svg *s, const double *x, const double *lower, const double *upper, size_t n,
              const char *cls, const char *fill, double opacity);
/* A circle of radius r (fill "none": a ring), stroke of width. */
void svg_circle(svg *s, double x, double y, double r, const char *fill, const char *stroke, double width,
                const char *cls);
/* Marker shape (0 circle, 1 square, 2 triangle up, 3 diamond, 4 triangle
 * down, 5 pentagon, then repeating) of radius r at (x, y). */
void svg_marker(svg *s, int shape, double x, double y, double r, const char *fill,
                const char *stroke, const char *cls);

/* Series styles: colour k of the Okabe-Ito palette (colour-blind safe), a
 * dash pattern (NULL = solid) and a marker shape; they cycle with different
 * periods, so any two of up to 16 series differ in at least two of them. */
const char *svg_colour(int k);
const char *svg_dash(int k);
int svg_shape(int k);

/* A linear axis mapping data [lo, hi] onto pixels [px_lo, px_hi]. */
typedef struct svg_axis {
  double lo, hi, px_lo, px_hi;
} svg_axis;

double svg_axis_map(const svg_axis *a, double v);
/* Widens [*lo, *hi] to round numbers and fills up to max ticks (about
 * target of them, multiples of 1, 2 or 5 times a power of ten); returns
 * how many. An empty range is widened around its value. */
int svg_nice_ticks(double *lo, double *hi, int target, double *ticks, int max);
/* A tick label: the shortest of %g-like forms that shows step's digits. */
void svg_tick_label(double v, double step, char *buf, size_t size);

#endif
