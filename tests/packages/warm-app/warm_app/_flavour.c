#include <Python.h>

/* The build flags choose the flavour: CFLAGS=-DWARM_FLAVOUR=2 makes another extension. */
#ifndef WARM_FLAVOUR
#define WARM_FLAVOUR 1
#endif

static PyObject *flavour(PyObject *self, PyObject *args) { return PyLong_FromLong(WARM_FLAVOUR); }

static PyMethodDef methods[] = {{"flavour", flavour, METH_NOARGS, "The flavour."}, {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_flavour", NULL, -1, methods};

PyMODINIT_FUNC PyInit__flavour(void) { return PyModule_Create(&module); }
