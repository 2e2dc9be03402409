/*
 * picture.h: the heaps as a picture: SVG, or HTML with the SVG inline.
 */
#ifndef CAPHEAP_TOOL_PICTURE_H
#define CAPHEAP_TOOL_PICTURE_H

#include "replay.h"

/**
 * Draws the board's regions (one row each, to one scale), their reserved
 * ranges and heaps, and every block as it is now: used blocks coloured by the
 * caps they were requested with, each with a tooltip. r: the replay that
 * brought the heaps here (NULL: none); moment: words for the title.
 * The format follows path's extension (.html/.htm: HTML, else SVG).
 * Returns 0, or 1 after printing why.
 */
int picture_write(const char *path, const tool_board_t *b, const replay_t *r, const char *moment);

#endif /* CAPHEAP_TOOL_PICTURE_H */
