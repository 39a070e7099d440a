/* svg_cairo.h: the cairo backend of the figure writer (svg.h), for PNG and
 * PDF figures: the SVG writer's functions call these when the figure was
 * begun in one of those formats (svg_begin_as). */
#ifndef GBTM_CLI_SVG_CAIRO_H
#define GBTM_CLI_SVG_CAIRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "svg.h"

bool svg_cairo_begin(svg *s, svg_format format, FILE *out, double width, double height);
/* Writes the PNG or finishes the PDF into s->out; false on a cairo or write error. */
bool svg_cairo_end(svg *s);
void svg_cairo_text(svg *s, double x, double y, const char *anchor, double size, bool bold, double rotate,
                    const char *text);
void svg_cairo_line(svg *s, double x1, double y1, double x2, double y2, const char *stroke, double width,
                    const char *dash);
void svg_cairo_rect(svg *s, double x, double y, double w, double h, const char *fill, const char *stroke,
                    double opacity);
/* Points through (x, y), a non-finite one breaking the line; closed:
 * filled with fill at fill_opacity ("none" or NULL: no fill). */
void svg_cairo_polyline(svg *s, const double *x, const double *y, size_t n, bool closed, const char *fill,
                        double fill_opacity, const char *stroke, double width, const char *dash);
void svg_cairo_circle(svg *s, double x, double y, double r, const char *fill, const char *stroke, double width);
void svg_cairo_clip_begin(svg *s, double x, double y, double w, double h);
void svg_cairo_clip_end(svg *s);

#endif
