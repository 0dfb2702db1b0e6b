/* help.c: `dovetail help COMMAND`: the command's manual page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli.h"

#ifndef DOVETAIL_MANDIR
#define DOVETAIL_MANDIR "/usr/local/share/man"
#endif
#ifndef DOVETAIL_SRC_MANDIR
#define DOVETAIL_SRC_MANDIR "docs/man"
#endif

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int cmd_help(int argc, char **argv, struct app *app)
{
	if (argc != 2 || strchr(argv[1], '/') || argv[1][0] == '-' || strlen(argv[1]) > 40)
		return cli_usage(app, "help: give one COMMAND (dovetail help propose), or profile");
	char page[64], path[1024];
	const char *sec = strcmp(argv[1], "profile") == 0 ? "5" : "1";
	snprintf(page, sizeof page, "dovetail-%s", argv[1]);
	/* the installed page, else the one in the source tree (an uninstalled
	 * build); $DOVETAIL_MANDIR first */
	const char *dirs[] = { getenv("DOVETAIL_MANDIR"), DOVETAIL_MANDIR, DOVETAIL_SRC_MANDIR };
	path[0] = 0;
	for (size_t i = 0; i < 3 && !path[0]; i++) {
		char p[1024];
		if (!dirs[i] || !*dirs[i])
			continue;
		snprintf(p, sizeof p, "%s/man%s/%s.%s", dirs[i], sec, page, sec);
		if (is_file(p)) {
			snprintf(path, sizeof path, "%s", p);
			break;
		}
		snprintf(p, sizeof p, "%s/%s.%s", dirs[i], page, sec);
		if (is_file(p))
			snprintf(path, sizeof path, "%s", p);
	}
	if (!path[0]) {
		char msg[160];
		snprintf(msg, sizeof msg, "help: no manual page %s(%s); try: dovetail %s --help", page, sec, argv[1]);
		return cli_usage(app, msg);
	}
	fflush(NULL);
	execlp("man", "man", "-l", path, (char *)NULL);
	execlp("mandoc", "mandoc", "-a", path, (char *)NULL);
	fprintf(stderr, "dovetail: error: neither man nor mandoc can show %s\n", path);
	return DV_EXIT_IO;
}
