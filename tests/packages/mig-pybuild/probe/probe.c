/* A compiled helper the package builds into the virtualenv's bin/. */
#include <stdio.h>

int main(void)
{
	printf("probe ok\n");
	return 0;
}
