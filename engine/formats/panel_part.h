/* panel_part.h: distributed panels (panel_part.c): the blocks of persons
 * that the processes read, made one panel. */
#ifndef GBTM_PANEL_PART_H
#define GBTM_PANEL_PART_H

#include "panel/panel.h"

/* Makes the blocks of procs one panel (collective): the sizes of the
 * whole, this block's first person, one age grid for all (the union of
 * the blocks' ages; this block is rebuilt on it when it lacks some), and a
 * check that no person is in two blocks. source names the data in
 * messages. */
gbtm_status panel_distribute(gbtm_panel *p, const gbtm_reducer *procs, const char *source, gbtm_error *err);

#endif
