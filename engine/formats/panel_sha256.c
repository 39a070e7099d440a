/* panel_sha256.c: gbtm_panel_sha256() (gbtm.h), the fingerprint of the data
 * a panel was read from, which its reader took while reading it (the CSV
 * readers of the bytes they read whole, the HDF5 reader of the file). */
#include "panel/panel.h"

const char *gbtm_panel_sha256(const gbtm_panel *panel) { return panel ? panel->sha256 : ""; }
