#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <libpq-fe.h>

static PyObject *pq_major(PyObject *self, PyObject *args) { return PyLong_FromLong(PQlibVersion() / 10000); }

static PyMethodDef methods[] = {{"pq_major", pq_major, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pq", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pq(void) { return PyModule_Create(&module); }
