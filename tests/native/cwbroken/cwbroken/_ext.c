/* Stands for a driver whose -dev package is not in Build-Depends. */
#include <cw-not-installed.h>
