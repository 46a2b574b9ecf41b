/* The extension module of the prebuilt wheel cwplain: no bundled library, no RPATH, built with -g. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *value(PyObject *self, PyObject *args) { return PyLong_FromLong(46); }

static PyMethodDef methods[] = {{"value", value, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_plain", NULL, -1, methods};

PyMODINIT_FUNC PyInit__plain(void) { return PyModule_Create(&module); }
