# scaling_svg.awk: draws bench/out/results.tsv (written by bench/run.sh) as
# an SVG of seconds against persons on log-log axes: one line per case
# (column "case") for the wall time of the whole command, and a dashed grey
# line of slope 1 (time proportional to N) through the first case's largest
# size, for reading the scaling off the figure.
#
#   awk -f bench/scaling_svg.awk bench/out/results.tsv > bench/out/scaling.svg
#
# Columns are found by their header names: case, n, wall_s.
BEGIN { FS = "\t"; W = 640; H = 420; L = 70; R = 170; T = 40; B = 60 }
NR == 1 {
  for (j = 1; j <= NF; j++) col[$j] = j
  if (!("case" in col) || !("n" in col) || !("wall_s" in col)) {
    print "scaling_svg.awk: the header needs case, n and wall_s" > "/dev/stderr"
    exit 2
  }
  next
}
$(col["wall_s"]) + 0 > 0 && $(col["n"]) + 0 > 0 {
  c = $(col["case"])
  if (!(c in seen)) { seen[c] = 1; names[++ncase] = c }
  k = ++np[c]
  px[c, k] = log10($(col["n"])); py[c, k] = log10($(col["wall_s"]))
  if (!have || px[c, k] < xmin) xmin = px[c, k]
  if (!have || px[c, k] > xmax) xmax = px[c, k]
  if (!have || py[c, k] < ymin) ymin = py[c, k]
  if (!have || py[c, k] > ymax) ymax = py[c, k]
  have = 1
}
function log10(v) { return log(v) / log(10) }
function fl(v) { return v >= 0 ? int(v) : (int(v) == v ? v : int(v) - 1) }
function ce(v) { return -fl(-v) }
function sx(v) { return L + (v - x0) / (x1 - x0) * (W - L - R) }
function sy(v) { return H - B - (v - y0) / (y1 - y0) * (H - T - B) }
function ylabel(e) {
  if (e >= -3 && e <= 3) return sprintf("%g", 10 ^ e)
  return sprintf("1e%d", e)
}
function label(e,   v) {
  if (e >= 0 && e <= 6) { v = 10 ^ e; return sprintf("%d", v) }
  return sprintf("1e%d", e)
}
END {
  if (!have) { print "scaling_svg.awk: no rows to draw" > "/dev/stderr"; exit 2 }
  x0 = fl(xmin); x1 = ce(xmax); if (x1 == x0) x1 = x0 + 1
  y0 = fl(ymin); y1 = ce(ymax); if (y1 == y0) y1 = y0 + 1
  split("#0072B2 #D55E00 #009E73 #CC79A7 #E69F00 #56B4E9", colour, " ")
  printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H
  printf "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H
  printf "<text x=\"%d\" y=\"22\" font-size=\"14\">gbtm bench: wall seconds against persons (log-log)</text>\n", L
  for (e = x0; e <= x1; e++) {
    printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", sx(e), T, sx(e), H - B
    printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", sx(e), H - B + 16, label(e)
  }
  for (e = y0; e <= y1; e++) {
    printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, sy(e), W - R, sy(e)
    printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", L - 6, sy(e) + 4, ylabel(e)
  }
  printf "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n", L, T, W - L - R, H - T - B
  printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">persons N</text>\n", (L + W - R) / 2, H - 18
  printf "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">seconds (whole command)</text>\n", (T + H - B) / 2
  # slope 1 through the first case's largest N
  c = names[1]; k = np[c]
  ax = px[c, k]; ay = py[c, k]
  bx = x0; by = ay - (ax - x0)
  if (by < y0) { by = y0; bx = ax - (ay - y0) }
  printf "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"4 4\"/>\n", sx(bx), sy(by), sx(ax), sy(ay)
  for (i = 1; i <= ncase; i++) {
    c = names[i]; col_i = colour[(i - 1) % 6 + 1]; pts = ""
    for (k = 1; k <= np[c]; k++) pts = pts sprintf("%.1f,%.1f ", sx(px[c, k]), sy(py[c, k]))
    printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", pts, col_i
    for (k = 1; k <= np[c]; k++)
      printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n", sx(px[c, k]), sy(py[c, k]), col_i
    ly = T + 14 + 20 * (i - 1)
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n", W - R + 12, ly - 4, W - R + 34, ly - 4, col_i
    printf "<text x=\"%d\" y=\"%d\">%s</text>\n", W - R + 40, ly, c
  }
  ly = T + 14 + 20 * ncase
  printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\" stroke-dasharray=\"4 4\"/>\n", W - R + 12, ly - 4, W - R + 34, ly - 4
  printf "<text x=\"%d\" y=\"%d\">time proportional to N</text>\n", W - R + 40, ly
  printf "</svg>\n"
}
