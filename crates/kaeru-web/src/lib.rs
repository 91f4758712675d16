// kaeru-web
