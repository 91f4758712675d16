// kaeru
