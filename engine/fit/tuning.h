/* tuning.h: the fit's tuning knobs that are not part of the public
 * contract (gbtm.h documents their effect, not their values). */
#ifndef GBTM_TUNING_H
#define GBTM_TUNING_H

/* The automatic pilot (gbtm_fit_options.pilot = -1, DESIGN §3 Starts): its
 * persons, and the panels, from this many persons on, that get one. */
#define GBTM_PILOT_PERSONS 50000
#define GBTM_PILOT_FROM 200000

#endif
