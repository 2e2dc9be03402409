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
 * The format follows path's extension (picture_format_of): HTML for .html
 * and .htm, else SVG (the command line refuses other names before this).
 * Returns 0, or 1 after printing why.
 */
int picture_write(const char *path, const tool_board_t *b, const replay_t *r, const char *moment);

typedef enum { PICTURE_NONE, PICTURE_SVG, PICTURE_HTML } picture_format_t;

/** The format a picture named path is written in: .svg SVG, .html or .htm
 *  HTML (in either case), NONE for any other name, which the command line
 *  refuses before replaying anything. */
picture_format_t picture_format_of(const char *path);

#endif /* CAPHEAP_TOOL_PICTURE_H */
